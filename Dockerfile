# The grading image: the course's pinned environment, the autograder, the released notebooks, and
# an entry point that grades a mounted folder of submissions (deploy/grade.sh).
#
#   docker build -t pooling-grader .                                            # CPU
#   docker build -t pooling-grader:gpu --build-arg REQUIREMENTS=requirements-gpu.txt .   # GPU (CUDA TensorFlow)
#   docker run --rm -e AUTOGRADER_SECRET -v "$PWD/grading/submitted:/submissions:ro" \
#       -v "$PWD/results:/results" pooling-grader                               # -> results/results.json, .xml, report.html
#
# Settings (environment): SHARD=K/N, or JOB_COMPLETION_INDEX with SHARDS=N (a Kubernetes Indexed
# Job); AUTOGRADER_SECRET or AUTOGRADER_SECRET_FILE (required: without a secret nothing is graded);
# JOBS, GRADE_ARGS. `docker run ... pooling-grader merge` joins the shards in /results.
# The image holds no solutions and no grading secret (.dockerignore lets in only what is listed).
ARG PYTHON_IMAGE=python:3.11-slim
FROM ${PYTHON_IMAGE}

# requirements.txt (tensorflow-cpu) or requirements-gpu.txt (tensorflow[and-cuda]): the same pins.
ARG REQUIREMENTS=requirements.txt

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    MPLCONFIGDIR=/tmp/matplotlib \
    SUBMISSIONS_DIR=/submissions \
    RESULTS_DIR=/results \
    PYTHON=python3

# The pinned environment first: it changes least often, so its layer is reused.
COPY requirements.txt requirements-gpu.txt /tmp/build/
RUN python -m pip install -r /tmp/build/${REQUIREMENTS}

# The autograder package, installed (not editable) into site-packages.
COPY pyproject.toml README.md /tmp/build/
COPY autograder /tmp/build/autograder
RUN python -m pip install --no-deps /tmp/build && rm -rf /tmp/build

# The course root: the released notebooks (course/) and the entry point. No solutions/.
WORKDIR /srv/course
COPY course ./course
COPY deploy/grade.sh ./deploy/grade.sh

# Grade as an unprivileged user; /results is where the results go (a mounted volume in use).
RUN useradd --uid 10001 --user-group --no-create-home --home-dir /tmp grader \
    && mkdir -p /submissions /results && chown grader:grader /results
USER 10001:10001

ENTRYPOINT ["/srv/course/deploy/grade.sh"]
CMD ["grade"]
