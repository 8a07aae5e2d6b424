# A container image of Sunlight: one static binary (pure Go, no cgo) on a
# distroless base. The Go build runs once, here, with its module and build
# caches kept between builds (BuildKit cache mounts), so a rebuild after a
# code change compiles only what changed.
#
#   docker build -t sunlight .
#   docker run --rm -p 8080:8080 -v sunlight-data:/data sunlight serve --demo
#
# then http://127.0.0.1:8080/ (GraphiQL). The working directory /data holds
# sunlight.db and var/reports; mount a volume there to keep them. Where the
# default registries are slow or unreachable, pass e.g.
# --build-arg GOPROXY=https://goproxy.cn,direct and a mirror's images with
# --build-arg GO_IMAGE=… --build-arg RUNTIME_IMAGE=….

ARG GO_IMAGE=golang:1.26-bookworm
ARG RUNTIME_IMAGE=gcr.io/distroless/static-debian12:nonroot

FROM ${GO_IMAGE} AS build
ARG GOPROXY=https://proxy.golang.org,direct
ENV GOPROXY=${GOPROXY} CGO_ENABLED=0 GOFLAGS=-buildvcs=false
WORKDIR /src
COPY go.mod go.sum ./
# go.mod replaces gofpdf with the patched copy in third_party: its go.mod
# must be there for the download to resolve the module graph.
COPY third_party/gofpdf/go.mod third_party/gofpdf/
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
# timetzdata embeds the zone database: the reports' Asia/Shanghai does not
# depend on the image having /usr/share/zoneinfo.
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    go build -trimpath -tags timetzdata -ldflags='-s -w' -o /out/sunlight ./cmd/sunlight
RUN mkdir -p /out/data

FROM ${RUNTIME_IMAGE}
COPY --from=build /out/sunlight /usr/local/bin/sunlight
COPY --from=build --chown=65532:65532 /out/data /data
WORKDIR /data
# serve listens on every interface inside the container; publish the port
# with -p to choose who reaches it.
ENV SUNLIGHT_ADDR=0.0.0.0:8080
EXPOSE 8080
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/sunlight"]
CMD ["serve", "--demo"]
