# syntax=docker/dockerfile:1
# Podium's container image: a static Go binary on an empty base.
#   docker build --build-arg VERSION=v1.2.3 --build-arg REVISION=$(git rev-parse HEAD) -t podiumhq/podium:v1.2.3 .

ARG GO_VERSION=1.26.8
# Where the binary comes from: "build" compiles it below with .ci/image.sh;
# "prebuilt" takes the one goreleaser built with the same flags, which its
# build context holds as linux/ARCH/podium (.goreleaser.yaml, dockers_v2).
ARG BINARY=build

FROM golang:${GO_VERSION} AS build
WORKDIR /src
# Modules first, so that a source change does not re-download them.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
ARG VERSION=dev
ARG TARGETOS
ARG TARGETARCH
# The build command and its flags live in .ci/image.sh, which `make image` runs
# too; do not add a second `go build` here.
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    VERSION="${VERSION}" GOOS="${TARGETOS}" GOARCH="${TARGETARCH}" ./.ci/image.sh /out/podium

FROM scratch AS prebuilt
ARG TARGETPLATFORM
COPY ${TARGETPLATFORM}/podium /out/podium

FROM ${BINARY} AS binary

# No shell, no package manager, no libc: only the binary. Podium needs no CA
# bundle of its own: in a cluster it trusts the ServiceAccount's ca.crt.
# e2e/ociimage assembles this same stage without a Docker engine (make
# image-oci); chart/image_test.go checks that the two agree.
FROM scratch
COPY --from=binary /out/podium /podium
# A numeric non-root UID/GID, so runAsNonRoot can verify it without /etc/passwd.
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/podium"]
CMD ["serve", "--listen=:8080"]
ARG VERSION=dev
ARG REVISION=unknown
LABEL org.opencontainers.image.source="https://github.com/podiumhq/podium" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"
