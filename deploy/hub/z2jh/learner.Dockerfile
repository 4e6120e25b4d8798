# The learners' single-user image for Zero to JupyterHub: the grading image (the course's pins, the
# package, the released notebooks; no solutions, no secret) plus JupyterHub's single-user server at
# requirements-hub.txt's pin, a jovyan user, and nbgrader's instructor extensions switched off.
#   docker build -f deploy/hub/z2jh/learner.Dockerfile --build-arg GRADER_IMAGE=ghcr.io/YOUR-ORG/pooling-grader:v1.0 \
#     -t ghcr.io/YOUR-ORG/pooling-learner:v1.0 .
ARG GRADER_IMAGE=ghcr.io/YOUR-ORG/pooling-grader:v1.0
FROM ${GRADER_IMAGE}
USER root
COPY requirements-hub.txt /tmp/requirements-hub.txt
RUN python -m pip install --no-cache-dir -r /tmp/requirements-hub.txt \
    && useradd --uid 1000 --gid 100 --create-home --home-dir /home/jovyan jovyan \
    && jupyter labextension disable --level=sys_prefix @jupyter/nbgrader:formgrader \
    && jupyter labextension disable --level=sys_prefix @jupyter/nbgrader:create-assignment \
    && jupyter labextension disable --level=sys_prefix @jupyter/nbgrader:course-list \
    && jupyter server extension disable --sys-prefix nbgrader.server_extensions.formgrader \
    && jupyter server extension disable --sys-prefix nbgrader.server_extensions.course_list
ENV HOME=/home/jovyan
WORKDIR /home/jovyan
USER 1000
# The grading image's entry point (deploy/grade.sh) would take jupyterhub-singleuser as its command.
ENTRYPOINT []
CMD ["jupyterhub-singleuser"]
