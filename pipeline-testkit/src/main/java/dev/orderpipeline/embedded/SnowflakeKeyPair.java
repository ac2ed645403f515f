package dev.orderpipeline.embedded;

import java.io.StringWriter;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS8EncryptedPrivateKeyInfoBuilder;
import org.bouncycastle.operator.OutputEncryptor;

/** A fresh RSA key pair written as PKCS#8 PEM, encrypted or not, as Snowflake key-pair auth uses. */
public final class SnowflakeKeyPair {
    private SnowflakeKeyPair() {
    }

    public static String pem(String passphrase) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            KeyPair pair = generator.generateKeyPair();
            StringWriter out = new StringWriter();
            try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
                if (passphrase == null) {
                    writer.writeObject(new org.bouncycastle.util.io.pem.PemObject("PRIVATE KEY", pair.getPrivate().getEncoded()));
                } else {
                    OutputEncryptor encryptor = new JceOpenSSLPKCS8EncryptorBuilder(PKCSObjectIdentifiers.pbeWithSHAAnd3_KeyTripleDES_CBC)
                            .setPassword(passphrase.toCharArray()).build();
                    writer.writeObject(new JcaPKCS8EncryptedPrivateKeyInfoBuilder(pair.getPrivate()).build(encryptor));
                }
            }
            return out.toString();
        } catch (Exception e) {
            throw new IllegalStateException("cannot make a test key pair", e);
        }
    }
}
