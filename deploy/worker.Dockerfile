# `psworker train`: one training worker. Build from the repository root:
#   docker build -f deploy/worker.Dockerfile -t psworker .                    CPU
#   docker build -f deploy/worker.Dockerfile --target cuda -t psworker:cuda .  GPU nodes
# The dataset (the four Fashion-MNIST IDX files) is mounted, not built in: pass its folder with --data.

# The GPU image's base: a CUDA 12 or 13 runtime image on Ubuntu 24.04 that the nodes' driver supports.
ARG CUDA_IMAGE=nvidia/cuda:12.6.3-runtime-ubuntu24.04

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/ src/
# Self-contained, so that the CUDA image below needs no .NET runtime of its own.
RUN dotnet publish src/GpuWorkers/WorkerHost/ParameterServer.WorkerHost.csproj -c Release --os linux --self-contained -o /app

# GPU nodes: the CUDA runtime image carries cuBLAS under /usr/local/cuda/lib64, where the worker looks for it
# (or set PS_CUBLAS_PATH); the driver, libcuda.so.1, comes from the node through the NVIDIA container toolkit.
FROM ${CUDA_IMAGE} AS cuda
RUN apt-get update \
  && apt-get install -y --no-install-recommends ca-certificates libssl3t64 \
  && rm -rf /var/lib/apt/lists/* \
  && useradd --uid 1654 --no-create-home app
WORKDIR /app
COPY --from=build /app /app
USER 1654
ENTRYPOINT ["/app/psworker", "train"]

# CPU nodes (the default target): the .NET image for self-contained applications.
FROM mcr.microsoft.com/dotnet/runtime-deps:10.0 AS cpu
WORKDIR /app
COPY --from=build /app /app
# APP_UID (1654) is the non-root user of the .NET images.
USER $APP_UID
ENTRYPOINT ["/app/psworker", "train"]
