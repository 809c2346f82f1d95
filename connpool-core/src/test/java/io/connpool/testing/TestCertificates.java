package io.connpool.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A self-signed certificate made for one test run with the JDK's own {@code keytool}, so TLS is tested
 * for real without checked-in keys or another dependency.
 */
public final class TestCertificates {

    private static final char[] PASSWORD = "changeit".toCharArray();

    private final Path keyStoreFile;
    private final KeyStore keyStore;

    private TestCertificates(Path keyStoreFile, KeyStore keyStore) {
        this.keyStoreFile = keyStoreFile;
        this.keyStore = keyStore;
    }

    /**
     * Generates a key pair and a certificate for CN=localhost with subject alternative names
     * {@code DNS:localhost} and {@code IP:127.0.0.1}.
     */
    public static TestCertificates generate(Path directory) {
        return generate(directory, "localhost", "dns:localhost,ip:127.0.0.1");
    }

    /** Generates a certificate with the given common name and SAN list (keytool's -ext SAN syntax). */
    public static TestCertificates generate(Path directory, String commonName, String subjectAlternativeNames) {
        Path file = directory.resolve("server-" + System.nanoTime() + ".p12");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        List<String> command = List.of(keytool, "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname",
                "secp256r1", "-validity", "2", "-dname", "CN=" + commonName, "-ext", "SAN=" + subjectAlternativeNames,
                "-storetype", "PKCS12", "-keystore", file.toString(), "-storepass", new String(PASSWORD),
                "-keypass", new String(PASSWORD));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("keytool failed: " + output);
            }
            KeyStore store = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(file)) {
                store.load(in, PASSWORD);
            }
            return new TestCertificates(file, store);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        catch (GeneralSecurityException ex) {
            throw new IllegalStateException(ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    /** The server side: presents the certificate. */
    public SSLContext serverContext() {
        try {
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(keyStore, PASSWORD);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context;
        }
        catch (GeneralSecurityException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** The client side: trusts exactly this certificate. */
    public SSLContext clientContext() {
        try {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("server", certificate());
            TrustManagerFactory trustManagers = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trustManagers.init(trust);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trustManagers.getTrustManagers(), null);
            return context;
        }
        catch (GeneralSecurityException | IOException ex) {
            throw new IllegalStateException(ex);
        }
    }

    public Certificate certificate() {
        try {
            return keyStore.getCertificate("server");
        }
        catch (GeneralSecurityException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** The PKCS#12 key store file (password {@code changeit}, alias {@code server}). */
    public Path keyStoreFile() {
        return keyStoreFile;
    }

    /** Writes the certificate as PEM, for Spring Boot's PEM SSL bundles. */
    public Path writeCertificatePem(Path file) {
        try {
            return write(file, "CERTIFICATE", certificate().getEncoded());
        }
        catch (GeneralSecurityException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** Writes the private key as unencrypted PKCS#8 PEM. */
    public Path writePrivateKeyPem(Path file) {
        try {
            Key key = keyStore.getKey("server", PASSWORD);
            return write(file, "PRIVATE KEY", key.getEncoded());
        }
        catch (GeneralSecurityException ex) {
            throw new IllegalStateException(ex);
        }
    }

    private static Path write(Path file, String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        String pem = "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
        try {
            return Files.writeString(file, pem, StandardCharsets.US_ASCII);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }
}
