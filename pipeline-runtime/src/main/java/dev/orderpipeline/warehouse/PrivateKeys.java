package dev.orderpipeline.warehouse;

import java.io.IOException;
import java.io.StringReader;
import java.security.PrivateKey;
import java.util.Optional;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.operator.InputDecryptorProvider;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/** Reads the PKCS#8 PEM key of Snowflake key-pair authentication, encrypted or not. */
public final class PrivateKeys {
    private PrivateKeys() {
    }

    public static PrivateKey fromPem(String pem, Optional<String> passphrase) {
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            Object parsed = parser.readObject();
            PrivateKeyInfo info;
            if (parsed instanceof PKCS8EncryptedPrivateKeyInfo encrypted) {
                char[] secret = passphrase.orElseThrow(() -> new IllegalArgumentException(
                        "the Snowflake private key is encrypted: provide its passphrase")).toCharArray();
                InputDecryptorProvider decryptor = new JceOpenSSLPKCS8DecryptorProviderBuilder().build(secret);
                info = encrypted.decryptPrivateKeyInfo(decryptor);
            } else if (parsed instanceof PrivateKeyInfo plain) {
                info = plain;
            } else {
                throw new IllegalArgumentException("the Snowflake private key is not a PKCS#8 PEM key "
                        + "(expected a PEM block of type PRIVATE KEY or ENCRYPTED PRIVATE KEY)");
            }
            return new JcaPEMKeyConverter().getPrivateKey(info);
        } catch (IOException | OperatorCreationException | PKCSException e) {
            // The cause may quote key material: report the kind of failure only.
            throw new IllegalArgumentException("the Snowflake private key cannot be read ("
                    + e.getClass().getSimpleName() + "): check the key and its passphrase");
        }
    }
}
