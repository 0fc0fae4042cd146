package io.inferd.client;

import io.grpc.Attributes;
import io.grpc.EquivalentAddressGroup;
import io.grpc.NameResolver;
import io.grpc.NameResolverProvider;
import io.grpc.NameResolverRegistry;
import io.grpc.Status;
import io.grpc.StatusOr;
import io.grpc.SynchronizationContext;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * The {@code static} target scheme: a fixed list of servers, {@code
 * static:///10.0.0.1:50051,10.0.0.2:50051} (IPv6 as {@code [::1]:50051}, percent-encoded in the
 * URI; {@link #target(List)} does that). Each entry is one backend; a host name is looked up (all
 * its addresses form that backend) when the channel starts and whenever it asks again, e.g. after a
 * connection fails. The authority (for TLS and the {@code :authority} header) is the URI's, {@code
 * static://inferd.internal/…}, else the first entry's.
 *
 * <p>A list on its own is not load balancing: pair it with {@link LoadBalancing#roundRobin()}
 * ({@link InferenceClient.Builder} does so for list targets). Registered with grpc-java through
 * {@code META-INF/services} and by {@link #register()}, so {@code
 * Grpc.newChannelBuilder("static:///…", …)} works outside {@link InferenceClient} too.
 */
public final class StaticNameResolverProvider extends NameResolverProvider {
  public static final String SCHEME = "static";

  private static final StaticNameResolverProvider INSTANCE = new StaticNameResolverProvider();

  /** For the service loader; use {@link #register()}. */
  public StaticNameResolverProvider() {}

  /** Makes sure the default registry knows the scheme (class loaders that skip service files). */
  public static void register() {
    NameResolverRegistry registry = NameResolverRegistry.getDefaultRegistry();
    if (registry.getProviderForScheme(SCHEME) == null) {
      registry.register(INSTANCE);
    }
  }

  /** The target for {@code addresses}, each {@code host:port} or {@code [v6]:port}. */
  public static String target(List<String> addresses) {
    if (addresses.isEmpty()) {
      throw new IllegalArgumentException("addresses: empty (expected: host:port, ...)");
    }
    List<String> encoded = new ArrayList<>();
    for (String address : addresses) {
      encoded.add(URLEncoder.encode(address.strip(), StandardCharsets.UTF_8));
    }
    return SCHEME + ":///" + String.join(",", encoded);
  }

  @Override
  protected boolean isAvailable() {
    return true;
  }

  @Override
  protected int priority() {
    return 5;
  }

  @Override
  public String getDefaultScheme() {
    return SCHEME;
  }

  @Override
  public Collection<Class<? extends SocketAddress>> getProducedSocketAddressTypes() {
    return List.of(InetSocketAddress.class);
  }

  @Override
  public NameResolver newNameResolver(URI targetUri, NameResolver.Args args) {
    if (!SCHEME.equals(targetUri.getScheme())) {
      return null;
    }
    String path = targetUri.getRawPath();
    if (path == null || !path.startsWith("/") || path.length() < 2) {
      throw new IllegalArgumentException(
          "target " + targetUri + ": expected static:///host:port,host:port,...");
    }
    List<HostAndPort> entries = new ArrayList<>();
    for (String entry : path.substring(1).split(",")) {
      String decoded = URLDecoder.decode(entry, StandardCharsets.UTF_8).strip();
      if (!decoded.isEmpty()) {
        entries.add(HostAndPort.parse(decoded, args.getDefaultPort(), targetUri));
      }
    }
    if (entries.isEmpty()) {
      throw new IllegalArgumentException("target " + targetUri + ": no address");
    }
    String authority =
        targetUri.getRawAuthority() != null && !targetUri.getRawAuthority().isEmpty()
            ? targetUri.getRawAuthority()
            : entries.get(0).authority();
    return new StaticNameResolver(
        authority, entries, args.getOffloadExecutor(), args.getSynchronizationContext());
  }

  private record HostAndPort(String host, int port) {
    static HostAndPort parse(String entry, int defaultPort, URI target) {
      String host = entry;
      int port = defaultPort;
      if (entry.startsWith("[")) {
        int close = entry.indexOf(']');
        if (close < 0) {
          throw bad(entry, target);
        }
        host = entry.substring(1, close);
        String rest = entry.substring(close + 1);
        if (rest.startsWith(":")) {
          port = port(rest.substring(1), entry, target);
        } else if (!rest.isEmpty()) {
          throw bad(entry, target);
        }
      } else {
        int colon = entry.lastIndexOf(':');
        if (colon >= 0) {
          if (entry.indexOf(':') != colon) {
            throw bad(entry, target); // a bare IPv6 address needs brackets
          }
          host = entry.substring(0, colon);
          port = port(entry.substring(colon + 1), entry, target);
        }
      }
      if (host.isEmpty() || port < 0) {
        throw bad(entry, target);
      }
      return new HostAndPort(host, port);
    }

    private static int port(String text, String entry, URI target) {
      try {
        int port = Integer.parseInt(text);
        if (port < 1 || port > 65535) {
          throw bad(entry, target);
        }
        return port;
      } catch (NumberFormatException e) {
        throw bad(entry, target);
      }
    }

    private static IllegalArgumentException bad(String entry, URI target) {
      return new IllegalArgumentException(
          "target " + target + ": '" + entry + "' (expected: host:port or [IPv6]:port)");
    }

    String authority() {
      return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
  }

  /** Looks the entries up off the channel's synchronization context; one group per entry. */
  private static final class StaticNameResolver extends NameResolver {
    private final String authority;
    private final List<HostAndPort> entries;
    private final Executor offload;
    private final SynchronizationContext syncContext;
    // all below: touched on the synchronization context only
    private Listener2 listener;
    private boolean resolving;
    private boolean shutdown;

    StaticNameResolver(
        String authority,
        List<HostAndPort> entries,
        Executor offload,
        SynchronizationContext syncContext) {
      this.authority = authority;
      this.entries = List.copyOf(entries);
      this.offload = offload != null ? offload : Runnable::run;
      this.syncContext = syncContext;
    }

    @Override
    public String getServiceAuthority() {
      return authority;
    }

    @Override
    public void start(Listener2 listener) {
      this.listener = listener;
      resolve();
    }

    @Override
    public void refresh() {
      resolve();
    }

    // start, refresh and shutdown run on the channel's synchronization context; lookups run off it.
    private void resolve() {
      if (resolving || shutdown) {
        return;
      }
      resolving = true;
      offload.execute(
          () -> {
            ResolutionResult result = lookUp();
            syncContext.execute(
                () -> {
                  resolving = false;
                  if (!shutdown) {
                    listener.onResult2(result);
                  }
                });
          });
    }

    private ResolutionResult lookUp() {
      List<EquivalentAddressGroup> groups = new ArrayList<>();
      List<String> unknown = new ArrayList<>();
      for (HostAndPort entry : entries) {
        try {
          List<SocketAddress> addresses = new ArrayList<>();
          for (InetAddress address : InetAddress.getAllByName(entry.host())) {
            addresses.add(new InetSocketAddress(address, entry.port()));
          }
          groups.add(new EquivalentAddressGroup(addresses));
        } catch (UnknownHostException e) {
          unknown.add(entry.host());
        }
      }
      var result = ResolutionResult.newBuilder().setAttributes(Attributes.EMPTY);
      if (groups.isEmpty()) {
        return result
            .setAddressesOrError(
                StatusOr.fromStatus(
                    Status.UNAVAILABLE.withDescription("cannot resolve " + unknown)))
            .build();
      }
      return result.setAddressesOrError(StatusOr.fromValue(groups)).build();
    }

    @Override
    public void shutdown() {
      shutdown = true;
    }
  }
}
