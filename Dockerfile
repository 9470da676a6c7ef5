# kpipe in a container: the self-contained single-file build on the .NET runtime-deps image, run as the image's
# non-root "app" user, the pipeline file mounted at /etc/kpipe/pipeline.yaml (README, "Installing").
#   docker build -t kpipe .
#   docker run --rm -v "$PWD/my-pipeline.yaml:/etc/kpipe/pipeline.yaml:ro" -e KAFKA_BOOTSTRAP=broker:9092 kpipe
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish src/Kpipe.Cli -c Release -r linux-x64 --self-contained -p:PublishSingleFile=true -o /out \
    && rm -f /out/*.pdb /out/*.xml

FROM mcr.microsoft.com/dotnet/runtime-deps:10.0
WORKDIR /app
COPY --from=build /out/ ./
USER app
# kpipe drains and commits on SIGTERM (docker stop); give it engine.shutdownTimeout plus a little:
#   docker stop -t 40 ...
ENTRYPOINT ["/app/kpipe"]
CMD ["run", "/etc/kpipe/pipeline.yaml"]
