# The Smart Access API image. BASE_IMAGE must provide python3 with the venv
# module; CI passes a locally built stand-in when the registry's image is not
# available.
ARG BASE_IMAGE=python:3.12-slim-bookworm

FROM ${BASE_IMAGE} AS builder
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1
# Dependencies first, from the hash-pinned lock alone, so a source change
# reuses this layer. pip and setuptools leave the venv: nothing installs at run
# time.
COPY requirements.txt /tmp/requirements.txt
RUN python3 -m venv /opt/venv \
 && /opt/venv/bin/pip install --require-hashes --no-cache-dir \
      -r /tmp/requirements.txt \
 && /opt/venv/bin/pip uninstall --yes pip setuptools \
 && python3 -m compileall -q /opt/venv/lib

FROM ${BASE_IMAGE}
RUN groupadd --gid 10001 app \
 && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin app
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
COPY --from=builder /opt/venv /opt/venv

WORKDIR /srv
COPY contract/ /srv/contract/
COPY app/ /srv/app/
COPY entrypoint.sh /srv/entrypoint.sh
# Byte-compiled now, as root, since the running container may not write: its
# root file system can be mounted read-only.
RUN python3 -m compileall -q /srv/app \
 && chmod 0755 /srv/entrypoint.sh

USER 10001:10001
EXPOSE 5000
# The probe's HTTP exchange is bounded to 2 s by app.healthcheck itself; the
# longer timeout here leaves room for the interpreter to start on a busy host.
HEALTHCHECK --interval=10s --timeout=10s --start-period=30s --retries=3 \
  CMD ["python", "-m", "app.healthcheck"]
ENTRYPOINT ["/srv/entrypoint.sh"]
CMD ["serve"]
