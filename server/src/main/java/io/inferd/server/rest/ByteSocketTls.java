package io.inferd.server.rest;

import static java.util.Objects.requireNonNull;

import io.helidon.common.tls.Tls;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.security.KeyManagementException;
import java.security.SecureRandom;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/**
 * TLS for a Helidon listener on byte sockets ({@code useNio(false)}), whose {@code idle()} reads a
 * byte ahead and so notices a client that left mid-request (the NIO socket's does nothing). Helidon
 * 4.5 layers such a socket with {@code sslContext().getSocketFactory().createSocket(socket, null,
 * false)} and applies none of the listener's {@link SSLParameters}, so client authentication,
 * protocols and cipher suites would be dropped; the context here sets them on every socket it
 * layers, before the handshake.
 */
final class ByteSocketTls {
  private final SSLContext delegate;
  private final SSLParameters parameters;

  private ByteSocketTls(SSLContext delegate, SSLParameters parameters) {
    this.delegate = delegate;
    this.parameters = parameters;
  }

  /** {@code tls} with an SSL context whose server sockets get {@code tls}'s parameters. */
  static Tls of(Tls tls) {
    requireNonNull(tls, "tls");
    SSLParameters parameters = tls.sslParameters();
    // As Helidon's NIO path does: a server does not match its client's certificate to a host name.
    parameters.setEndpointIdentificationAlgorithm("");
    return Tls.builder()
        .from(tls.prototype())
        .sslContext(new ByteSocketTls(tls.sslContext(), parameters).new ParameterizedContext())
        .sslParameters(parameters)
        .build();
  }

  /** The delegate's context, except that every engine and socket it makes has the parameters. */
  private final class ParameterizedContext extends SSLContext {
    ParameterizedContext() {
      super(new Spi(), delegate.getProvider(), delegate.getProtocol());
    }
  }

  private final class Spi extends SSLContextSpi {
    private final SSLSocketFactory sockets = new ParameterizedSocketFactory();

    @Override
    protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom sr)
        throws KeyManagementException {
      throw new KeyManagementException("already initialized");
    }

    @Override
    protected SSLSocketFactory engineGetSocketFactory() {
      return sockets;
    }

    @Override
    protected SSLServerSocketFactory engineGetServerSocketFactory() {
      return delegate.getServerSocketFactory();
    }

    @Override
    protected SSLEngine engineCreateSSLEngine() {
      SSLEngine engine = delegate.createSSLEngine();
      engine.setSSLParameters(parameters);
      return engine;
    }

    @Override
    protected SSLEngine engineCreateSSLEngine(String host, int port) {
      SSLEngine engine = delegate.createSSLEngine(host, port);
      engine.setSSLParameters(parameters);
      return engine;
    }

    @Override
    protected SSLSessionContext engineGetServerSessionContext() {
      return delegate.getServerSessionContext();
    }

    @Override
    protected SSLSessionContext engineGetClientSessionContext() {
      return delegate.getClientSessionContext();
    }

    @Override
    protected SSLParameters engineGetDefaultSSLParameters() {
      return delegate.getDefaultSSLParameters();
    }

    @Override
    protected SSLParameters engineGetSupportedSSLParameters() {
      return delegate.getSupportedSSLParameters();
    }
  }

  /** Every socket it makes carries the listener's parameters (client auth among them). */
  private final class ParameterizedSocketFactory extends SSLSocketFactory {
    private final SSLSocketFactory factory = delegate.getSocketFactory();

    private Socket configured(Socket socket) {
      ((SSLSocket) socket).setSSLParameters(parameters);
      return socket;
    }

    /** The one Helidon calls: a server-mode socket over an accepted connection. */
    @Override
    public Socket createSocket(Socket socket, InputStream consumed, boolean autoClose)
        throws IOException {
      return configured(factory.createSocket(socket, consumed, autoClose));
    }

    @Override
    public Socket createSocket(Socket socket, String host, int port, boolean autoClose)
        throws IOException {
      return configured(factory.createSocket(socket, host, port, autoClose));
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
      return configured(factory.createSocket(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort)
        throws IOException {
      return configured(factory.createSocket(host, port, localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
      return configured(factory.createSocket(host, port));
    }

    @Override
    public Socket createSocket(
        InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
      return configured(factory.createSocket(address, port, localAddress, localPort));
    }

    @Override
    public String[] getDefaultCipherSuites() {
      return parameters.getCipherSuites() != null
          ? parameters.getCipherSuites()
          : factory.getDefaultCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
      return factory.getSupportedCipherSuites();
    }
  }
}
