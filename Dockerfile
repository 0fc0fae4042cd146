# syntax=docker/dockerfile:1
# inferd's container image: the server, llama.cpp built from its pinned source for any x86-64 CPU with
# AVX2 (or the architecture's baseline elsewhere), the default model, a non-root user and a health check.
# No Docker daemon is needed; any OCI builder reads this file (run from the checkout's root):
#
#   podman build -t inferd:0.1.0 .          # daemonless (buildah bud -t inferd:0.1.0 . is the same)
#   docker build -t inferd:0.1.0 .          # or with Docker
#   podman run --rm -p 50051:50051 -p 8080:8080 inferd:0.1.0
#
# The build fetches Maven Central artifacts, the llama.cpp source from PyPI (sha256-pinned in
# engine/native/llama.cpp.lock) and Ubuntu packages. For a byte-for-byte repeatable base, pin the two
# images by digest: --build-arg JDK_IMAGE=eclipse-temurin:25-jdk-noble@sha256:… (and JRE_IMAGE).
ARG JDK_IMAGE=eclipse-temurin:25-jdk-noble
ARG JRE_IMAGE=eclipse-temurin:25-jre-noble

# ---- build: llama.cpp's shared libraries, then inferd's jar and its dependencies ----------------------
FROM ${JDK_IMAGE} AS build
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends cmake g++ python3 python3-venv curl unzip ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src

# llama.cpp first: it changes least and takes longest (5-10 minutes on 2 cores). INFERD_CPU=portable
# leaves GGML_NATIVE off: the machine that builds an image is not the one that runs it.
COPY engine/native/ engine/native/
RUN INFERD_CPU=portable INFERD_CUDA=off INFERD_CACHE=/tmp/inferd-cache engine/native/build-llama.sh > /tmp/llama-dir \
 && cp -r "$(cat /tmp/llama-dir)" /opt/llama.cpp \
 && rm -rf /tmp/inferd-cache

COPY mvnw pom.xml ./
COPY .mvn/ .mvn/
COPY proto/ proto/
COPY engine/ engine/
COPY engine-remote/ engine-remote/
COPY client/ client/
COPY server/ server/
COPY app/ app/
COPY bench/pom.xml bench/pom.xml
RUN ./mvnw -B -ntp -DskipTests -pl app -am package

# ---- run: a JRE, OpenMP for llama.cpp, curl for the health check --------------------------------------
FROM ${JRE_IMAGE}
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends libgomp1 curl \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 inferd \
 && useradd --system --uid 10001 --gid inferd --home-dir /opt/inferd --shell /usr/sbin/nologin inferd \
 && install -d -o inferd -g inferd /opt/inferd/models-cache
# -Dinferd.home=/opt/inferd: serve finds its default model in /opt/inferd/models, pull writes to
# /opt/inferd/models-cache (mount a volume there, or set INFERD_MODELS_DIR).
COPY --from=build /opt/llama.cpp/ /opt/inferd/llama.cpp/
COPY --from=build /src/app/target/lib/ /opt/inferd/app/lib/
COPY --from=build /src/app/target/inferd.jar /opt/inferd/app/inferd.jar
COPY models/inferd-kjv-5m.gguf models/README.md /opt/inferd/models/
COPY LICENSE /opt/inferd/LICENSE

# Listen on every interface of the container (the default, 127.0.0.1, is unreachable from outside it).
# Set ports through these variables rather than --port/--http-port, so the health check follows them.
ENV INFERD_LLAMA_DIR=/opt/inferd/llama.cpp \
    INFERD_HOST=0.0.0.0 \
    INFERD_PORT=50051 \
    INFERD_HTTP_PORT=8080 \
    INFERD_METRICS_PORT=9464
USER 10001:10001
WORKDIR /opt/inferd
EXPOSE 50051 8080 9464
# /health answers 200 once the models are loaded and 503 while draining (gRPC health says the same:
# Kubernetes probes it directly, see docs/deploy/README.md).
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["sh", "-c", "curl -fsS \"http://127.0.0.1:${INFERD_HTTP_PORT}/health\" > /dev/null || exit 1"]
ENTRYPOINT ["java", "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", \
  "-Dinferd.home=/opt/inferd", "-jar", "/opt/inferd/app/inferd.jar"]
CMD ["serve"]
