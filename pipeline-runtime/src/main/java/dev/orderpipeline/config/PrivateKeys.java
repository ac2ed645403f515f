package dev.orderpipeline.config;

import java.io.IOException;
import java.io.StringReader;
import java.security.PrivateKey;
import java.util.Optional;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.operator.InputDecryptorProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Reads the PKCS#8 PEM key of Snowflake key-pair authentication, encrypted or not. A key that cannot be
 * used is an {@link UnreadableKeyException} saying which of the two inputs (the key or its passphrase) to
 * fix and how; its message never quotes the key, and the parser's own messages (which may) are dropped.
 */
public final class PrivateKeys {
    private static final String EXPECTED = "a PKCS#8 PEM private key: a block from '"
            + PemArmor.header("PRIVATE KEY") + "' or '" + PemArmor.header("ENCRYPTED PRIVATE KEY")
            + "' to its END line, as 'openssl pkcs8 -topk8' writes it (Snowflake's key-pair guide)";

    private PrivateKeys() {
    }

    /** What is wrong with a key; {@link #passphraseAtFault()} says whether the passphrase is the input to fix. */
    public enum Problem {
        NOT_PEM(false, "is not PEM (no complete BEGIN/END block: truncated, or another kind of file)"),
        NOT_A_PRIVATE_KEY(false, "holds no PKCS#8 private key"),
        NOT_DECODABLE(false, "is a PEM block whose content does not decode as a private key (damaged or truncated)"),
        PASSPHRASE_MISSING(true, "is required: the private key is encrypted"),
        WRONG_PASSPHRASE(true, "does not decrypt the private key");

        private final boolean passphraseAtFault;
        private final String description;

        Problem(boolean passphraseAtFault, String description) {
            this.passphraseAtFault = passphraseAtFault;
            this.description = description;
        }

        public boolean passphraseAtFault() {
            return passphraseAtFault;
        }

        /** What is wrong, said of the setting at fault, e.g. "is not PEM (...)". */
        public String description() {
            return description;
        }
    }

    /** A key that cannot be used, with no key material in the message. */
    public static final class UnreadableKeyException extends IllegalArgumentException {
        private final Problem problem;
        private final String detail;

        UnreadableKeyException(Problem problem, String detail) {
            super("the Snowflake private key" + (problem.passphraseAtFault ? "'s passphrase " : " ") + problem.description
                    + (detail.isEmpty() ? "" : " (" + detail + ")") + ": " + fix(problem));
            this.problem = problem;
            this.detail = detail;
        }

        public Problem problem() {
            return problem;
        }

        /** What was found instead of a key (a PEM block type, an exception's class): never key material. */
        public String detail() {
            return detail;
        }
    }

    /** How to fix each problem, in the words a user acts on. */
    public static String fix(Problem problem) {
        return switch (problem) {
            case NOT_PEM, NOT_DECODABLE -> "expected " + EXPECTED;
            case NOT_A_PRIVATE_KEY -> "expected " + EXPECTED + "; a public key, a certificate or a PKCS#1 "
                    + "'RSA PRIVATE KEY' is not one (convert PKCS#1 with 'openssl pkcs8 -topk8')";
            case PASSPHRASE_MISSING -> "give the passphrase the key was encrypted with, or an unencrypted PKCS#8 key";
            case WRONG_PASSPHRASE -> "give the passphrase the key was encrypted with (or the key that goes with this passphrase)";
        };
    }

    public static PrivateKey fromPem(String pem, Optional<String> passphrase) {
        Object parsed;
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            parsed = parser.readObject();
        } catch (IOException | RuntimeException e) {
            // A BEGIN line without its END line reads as "END ... not found"; damaged base64 fails to decode.
            // The cause may quote key material: report its kind only.
            boolean truncated = String.valueOf(e.getMessage()).contains("not found");
            throw new UnreadableKeyException(truncated ? Problem.NOT_PEM : Problem.NOT_DECODABLE, e.getClass().getSimpleName());
        }
        if (parsed == null) {
            throw new UnreadableKeyException(Problem.NOT_PEM, "");
        }
        PrivateKeyInfo info;
        if (parsed instanceof PKCS8EncryptedPrivateKeyInfo encrypted) {
            String secret = passphrase.filter(p -> !p.isEmpty())
                    .orElseThrow(() -> new UnreadableKeyException(Problem.PASSPHRASE_MISSING, ""));
            try {
                InputDecryptorProvider decryptor = new JceOpenSSLPKCS8DecryptorProviderBuilder().build(secret.toCharArray());
                info = encrypted.decryptPrivateKeyInfo(decryptor);
            } catch (OperatorCreationException e) {
                throw new UnreadableKeyException(Problem.NOT_DECODABLE, "unsupported encryption: " + e.getClass().getSimpleName());
            } catch (PKCSException | RuntimeException e) {
                // A wrong passphrase fails the padding check or, rarely, decrypts to bytes that are no key.
                throw new UnreadableKeyException(Problem.WRONG_PASSPHRASE, "");
            }
        } else if (parsed instanceof PrivateKeyInfo plain) {
            info = plain;
        } else if (parsed instanceof PEMKeyPair) {
            throw new UnreadableKeyException(Problem.NOT_A_PRIVATE_KEY, "found a PKCS#1 or EC key pair block");
        } else {
            throw new UnreadableKeyException(Problem.NOT_A_PRIVATE_KEY, "found " + parsed.getClass().getSimpleName());
        }
        try {
            return new JcaPEMKeyConverter().getPrivateKey(info);
        } catch (IOException | RuntimeException e) {
            throw new UnreadableKeyException(Problem.NOT_DECODABLE, e.getClass().getSimpleName());
        }
    }
}
