package io.inferd.app;

import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A throwaway CA with a server certificate for 127.0.0.1/localhost and a client certificate. */
final class TestCertificates {
  final Path caCert;
  final Path serverCert;
  final Path serverKey;
  final Path clientCert;
  final Path clientKey;

  private TestCertificates(Path dir) throws Exception {
    KeyPair ca = keyPair();
    X509Certificate caCertificate =
        sign("CN=inferd test CA", ca, "CN=inferd test CA", ca, true, null);
    KeyPair server = keyPair();
    GeneralNames names =
        new GeneralNames(
            new GeneralName[] {
              new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
              new GeneralName(GeneralName.dNSName, "localhost")
            });
    X509Certificate serverCertificate =
        sign("CN=localhost", server, "CN=inferd test CA", ca, false, names);
    KeyPair client = keyPair();
    X509Certificate clientCertificate =
        sign("CN=test client", client, "CN=inferd test CA", ca, false, null);

    caCert = write(dir.resolve("ca.pem"), caCertificate);
    serverCert = write(dir.resolve("server.pem"), serverCertificate);
    serverKey = write(dir.resolve("server.key"), new JcaPKCS8Generator(server.getPrivate(), null));
    clientCert = write(dir.resolve("client.pem"), clientCertificate);
    clientKey = write(dir.resolve("client.key"), new JcaPKCS8Generator(client.getPrivate(), null));
  }

  static TestCertificates create(Path dir) throws Exception {
    return new TestCertificates(dir);
  }

  private static KeyPair keyPair() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(256);
    return generator.generateKeyPair();
  }

  private static X509Certificate sign(
      String subject,
      KeyPair subjectKeys,
      String issuer,
      KeyPair issuerKeys,
      boolean ca,
      GeneralNames names)
      throws Exception {
    Instant now = Instant.now();
    var builder =
        new JcaX509v3CertificateBuilder(
            new X500Name(issuer),
            BigInteger.valueOf(now.toEpochMilli()),
            Date.from(now.minus(Duration.ofHours(1))),
            Date.from(now.plus(Duration.ofDays(1))),
            new X500Name(subject),
            subjectKeys.getPublic());
    builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
    if (names != null) {
      builder.addExtension(Extension.subjectAlternativeName, false, names);
    }
    var signer = new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate());
    return new JcaX509CertificateConverter().getCertificate(builder.build(signer));
  }

  private static Path write(Path file, Object pemObject) throws IOException {
    StringWriter text = new StringWriter();
    try (JcaPEMWriter pem = new JcaPEMWriter(text)) {
      pem.writeObject(pemObject);
    }
    return Files.writeString(file, text.toString());
  }
}
