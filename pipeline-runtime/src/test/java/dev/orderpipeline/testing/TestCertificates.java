package dev.orderpipeline.testing;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObjectGenerator;

/**
 * A throw-away certificate authority made for one test run, and the broker and client certificates
 * it signs, as the PEM text a Kubernetes TLS Secret holds (certificate chain, unencrypted PKCS#8 key).
 */
public final class TestCertificates {
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    /** A certificate and its key, both PEM. */
    public record Issued(String certificatePem, String privateKeyPem) {
        /** Writes {@code <name>.crt} and {@code <name>.key} into {@code dir}; returns the two paths. */
        public Path[] writeTo(Path dir, String name) {
            return new Path[] {write(dir.resolve(name + ".crt"), certificatePem), write(dir.resolve(name + ".key"), privateKeyPem)};
        }
    }

    private final KeyPair caKeys;
    private final X500Name caName;
    private final X509Certificate ca;

    private TestCertificates(KeyPair caKeys, X500Name caName, X509Certificate ca) {
        this.caKeys = caKeys;
        this.caName = caName;
        this.ca = ca;
    }

    public static TestCertificates authority(String commonName) {
        KeyPair keys = ecKeys();
        X500Name name = new X500Name("CN=" + commonName);
        try {
            X509v3CertificateBuilder builder = builder(name, name, keys)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            return new TestCertificates(keys, name, sign(builder, keys.getPrivate()));
        } catch (CertIOException e) {
            throw new IllegalStateException("cannot build the test CA", e);
        }
    }

    public String caPem() {
        return pem(ca);
    }

    public Path writeCa(Path file) {
        return write(file, caPem());
    }

    /** A broker certificate valid for {@code localhost} and 127.0.0.1 (what the test kit advertises). */
    public Issued broker() {
        return issue("localhost", KeyPurposeId.id_kp_serverAuth, true);
    }

    public Issued client(String commonName) {
        return issue(commonName, KeyPurposeId.id_kp_clientAuth, false);
    }

    /** An RSA key in the traditional OpenSSL (PKCS#1, "BEGIN RSA PRIVATE KEY") form, which Kafka cannot read. */
    public static String pkcs1RsaKeyPem() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return pem(generator.generateKeyPair().getPrivate());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private Issued issue(String commonName, KeyPurposeId purpose, boolean hostNames) {
        KeyPair keys = ecKeys();
        try {
            X509v3CertificateBuilder builder = builder(caName, new X500Name("CN=" + commonName), keys)
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
                    .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
                    .addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(purpose));
            if (hostNames) {
                builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                        new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
            }
            X509Certificate certificate = sign(builder, caKeys.getPrivate());
            // The chain a TLS Secret's tls.crt carries: the leaf, then its issuer.
            return new Issued(pem(certificate) + pem(ca), pem(new JcaPKCS8Generator(keys.getPrivate(), null)));
        } catch (CertIOException | org.bouncycastle.util.io.pem.PemGenerationException e) {
            throw new IllegalStateException("cannot issue a test certificate for " + commonName, e);
        }
    }

    private static JcaX509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys) {
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIAL.incrementAndGet()),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), subject, keys.getPublic());
    }

    private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey issuerKey) {
        try {
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)));
        } catch (OperatorCreationException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign a test certificate", e);
        }
    }

    private static KeyPair ecKeys() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(Object value) {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            if (value instanceof PemObjectGenerator generator) {
                writer.writeObject(generator);
            } else {
                writer.writeObject(value);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static Path write(Path file, String text) {
        try {
            return Files.writeString(file, text, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
