# `paramserver silo`: one Orleans silo. Build from the repository root:
#   docker build -f deploy/silo.Dockerfile -t paramserver .
# Configure it with environment variables PS_Section__Key (src/ParameterServer/Host/appsettings.json).

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/ src/
RUN dotnet publish src/ParameterServer/Host/ParameterServer.Host.csproj -c Release -o /app

FROM mcr.microsoft.com/dotnet/runtime:10.0
WORKDIR /app
COPY --from=build /app /app
# With Storage:Provider local the checkpoints go to /data/checkpoints: mount a volume there to keep them.
ENV PS_Storage__DataDirectory=/data
RUN mkdir /data && chown "$APP_UID" /data
VOLUME /data
# APP_UID (1654) is the non-root user of the .NET images.
USER $APP_UID
EXPOSE 11111 30000 11300
ENTRYPOINT ["/app/paramserver", "silo"]
