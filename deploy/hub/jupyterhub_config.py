"""JupyterHub's configuration for the course's hub on one machine (started by deploy/hub/hub.py).

Everything that changes from one hub to another comes from the settings.json that ``hub.py
prepare`` writes (its path in POOLING_HUB_SETTINGS): the environment, the exchange, the instructor,
the learners, the ports. What this file decides:

* Each user's server runs as that Unix user (LocalProcessSpawner), from the hub's environment
  (the course's pins, jupyterhub-singleuser), in JupyterLab; no variable of the hub's own
  environment reaches it except the locale.
* Learners start in their home (mode 0700) with the learner settings: nbgrader's course and
  exchange, the Assignments tab, no formgrader. The instructor starts in the course root, the
  folder where the course's nbgrader_config.py is, exactly as ``make grade-ui`` does; the
  formgrader opens in its own browser tab at /user/<instructor>/formgrader (JupyterHub 4.1 and
  later refuse it in JupyterLab's iframe unless the hub trusts its users: nbgrader's
  documentation, "Formgrader with jupyterhub>=4.1").
* Nobody but the instructor's server knows where the grading secret is (grading/secret in the
  course root, made by the first grading command, mode 0600): it is in no environment.
* Servers idle for the idle timeout are stopped (jupyterhub-idle-culler), kernels idle for an
  hour are shut down (the role settings): a class of 200 does not keep 200 TensorFlow kernels.
"""
import json
import os
import pwd

from jupyterhub.spawner import LocalProcessSpawner, set_user_setuid

c = get_config()  # noqa: F821 - provided by JupyterHub when it loads this file

S = json.load(open(os.environ["POOLING_HUB_SETTINGS"]))

# ----------------------------------------------------------------------------- network and state
c.JupyterHub.bind_url = f"http://{S['ip']}:{S['port']}"
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{S['hub_port']}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{S['proxy_api_port']}"
c.ConfigurableHTTPProxy.command = [S["proxy"]]
c.ConfigurableHTTPProxy.pid_file = os.path.join(S["state"], "jupyterhub-proxy.pid")
c.JupyterHub.db_url = "sqlite:///" + os.path.join(S["state"], "jupyterhub.sqlite")
c.JupyterHub.cookie_secret_file = os.path.join(S["state"], "jupyterhub_cookie_secret")
c.JupyterHub.cleanup_servers = True  # stopping the hub stops every user's server

# ----------------------------------------------------------------------------- who logs in
INSTRUCTOR = S["instructor"]
c.Authenticator.allowed_users = set(S["learners"]) | {INSTRUCTOR}
c.Authenticator.admin_users = {INSTRUCTOR}
if S["authenticator"] == "shared-password":
    # A demo: every learner logs in with one password (and so as any other learner); the instructor
    # with another. For a real class: PAM (hub.py --authenticator pam) or an OAuthenticator.
    c.JupyterHub.authenticator_class = "shared-password"
    c.SharedPasswordAuthenticator.user_password = open(S["learner_password_file"]).read().strip()
    c.SharedPasswordAuthenticator.admin_password = open(S["instructor_password_file"]).read().strip()
else:
    c.JupyterHub.authenticator_class = "pam"  # each user's own Unix password


# ----------------------------------------------------------------------------- each user's server
class CourseSpawner(LocalProcessSpawner):
    """LocalProcessSpawner that starts the server in its notebook folder, not always in the home:
    nbgrader reads the course root's nbgrader_config.py from the working folder."""

    def make_preexec_fn(self, name):
        become_user = set_user_setuid(name, chdir=False)
        folder = self.notebook_dir

        def preexec():
            become_user()
            os.chdir(folder)

        return preexec


def _by_role(spawner):
    """The instructor's server in the course root with the instructor's settings; a learner's at home."""
    name = spawner.user.name
    home = pwd.getpwnam(name).pw_dir
    instructor = name == INSTRUCTOR
    spawner.notebook_dir = S["course_root"] if instructor else home
    spawner.environment = {
        "PATH": f"{S['env']}/bin:/usr/local/bin:/usr/bin:/bin",  # nbgrader runs alembic from PATH
        "JUPYTER_CONFIG_PATH": S["instructor_settings" if instructor else "learner_settings"],
        **({"COURSE_EXCHANGE": S["exchange"]} if instructor else {}),
    }


c.JupyterHub.spawner_class = CourseSpawner
c.Spawner.pre_spawn_hook = _by_role
c.Spawner.cmd = [os.path.join(S["env"], "bin", "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.env_keep = ["LANG", "LC_ALL"]
c.Spawner.http_timeout = 120  # the first start on a cold machine imports JupyterLab and nbgrader
c.Spawner.start_timeout = 120

# ----------------------------------------------------------------------------- idle servers
if S["idle_timeout"]:
    c.JupyterHub.load_roles = [{"name": "idle-culler", "services": ["idle-culler"],
                                "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"]}]
    c.JupyterHub.services = [{"name": "idle-culler", "command": [
        os.path.join(S["env"], "bin", "python"), "-m", "jupyterhub_idle_culler", f"--timeout={S['idle_timeout']}"]}]
