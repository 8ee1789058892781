# Multi-stage build: a static binary on a distroless, non-root base.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/astapi ./cmd/astapi

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/astapi /usr/local/bin/astapi
USER 65532:65532
EXPOSE 8080
# Mount astapi.ini at /etc/astapi and the Asterisk files at /etc/asterisk;
# the root file system can (and should) be read-only.
ENTRYPOINT ["/usr/local/bin/astapi"]
CMD ["serve", "--config", "/etc/astapi/astapi.ini", "--listen", "0.0.0.0:8080"]
