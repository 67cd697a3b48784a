# presswatch daemon image.
#   docker build -t presswatch .
#   docker run -d --name presswatch -v presswatch-data:/data -v "$PWD/config:/config:ro" \
#     --env-file presswatch.env presswatch            # runs `presswatch run`
#   docker kill -s HUP presswatch                     # reload the config
#   docker run --rm -v presswatch-data:/data -v "$PWD/config:/config:ro" presswatch status
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PRESSWATCH_CONFIG=/config \
    PRESSWATCH_DATA_DIR=/data

RUN groupadd --system --gid 10001 presswatch \
 && useradd --system --uid 10001 --gid presswatch --home-dir /data --shell /usr/sbin/nologin presswatch \
 && install -d -o presswatch -g presswatch -m 0750 /data /config

WORKDIR /src
COPY pyproject.toml README.md ./
COPY scheduler.py ./
COPY crawler ./crawler
COPY alerts ./alerts
COPY spiders ./spiders
RUN pip install . && rm -rf /src

WORKDIR /data
USER presswatch
VOLUME /data
# The daemon stops cleanly on SIGTERM within scheduler.shutdown_grace; give it time:
#   docker stop --time 60 presswatch
STOPSIGNAL SIGTERM
ENTRYPOINT ["presswatch"]
CMD ["run"]
