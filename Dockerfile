# orgql's container image: a static binary (pure-Go SQLite, so no cgo) on
# distroless/static, running as its non-root user. README: "Container image".
# .ci/image builds it when Docker works, and otherwise checks this file and
# builds the same binary with the same command.

FROM golang:1.26.8-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w -buildid=" -o /out/orgql ./cmd/orgql
# The database volume's mount point, owned by the runtime user (65532, nonroot).
RUN mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/orgql /orgql
COPY --from=build --chown=65532:65532 /out/data /data
USER 65532:65532
# SQLite in the volume by default; set ORGQL_DATABASE_URL=postgres://... for PostgreSQL.
ENV ORGQL_ADDR=:8080 \
    ORGQL_DATABASE_URL=/data/orgql.db \
    ORGQL_LOG_FORMAT=json
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 CMD ["/orgql", "healthcheck"]
ENTRYPOINT ["/orgql"]
CMD ["serve"]
