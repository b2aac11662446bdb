# pyhelm's controller image: `pyhelm controller` keeping Stack resources applied (charts/pyhelm-controller
# deploys it). Build: docker build -t ghcr.io/pyhelm/pyhelm-controller:0.1.0 .
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY engine ./engine
RUN pip install --no-cache-dir --prefix=/install .

FROM python:3.11-slim
COPY --from=build /install /usr/local
# no root, no shell needed at run time; /tmp (an emptyDir in the chart) holds fetched sources and charts
USER 65532:65532
ENV HOME=/tmp HELM_CACHE_HOME=/tmp/helm/cache HELM_CONFIG_HOME=/tmp/helm/config HELM_DATA_HOME=/tmp/helm/data \
    PYTHONUNBUFFERED=1
EXPOSE 8080
ENTRYPOINT ["pyhelm"]
CMD ["controller"]
