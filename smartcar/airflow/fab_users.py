"""The platform's two FAB logins (an ``Admin`` and a read-only ``Viewer``), made to match the settings.

The Viewer also gets the role ``Smartcar pages`` (``[fab] custom_roles``): read the plugin list, without
which the UI does not show the platform's pages to a FAB Viewer.

Run in a process configured for the FAB auth manager (``smartcar.runtime.services.airflow`` does, after
``airflow db migrate``)::

    python -m smartcar.airflow.fab_users

Idempotent: a missing user is created, an existing one gets the role and the password of the home's
secrets again (a password changed in the UI does not survive a restart, as ``.env``'s admin in the compose
stack). One process for both users instead of ``airflow users create`` / ``reset-password`` per user:
each Airflow CLI start costs seconds here, and the passwords stay off the command line.
"""

from __future__ import annotations

from smartcar.airflow.environment import PAGES_ROLE, fab_password, fab_users
from smartcar.settings import Settings, get_settings


def ensure_users(settings: Settings) -> list[str]:
    """Create or correct each login of :func:`fab_users`; returns one line per user saying what was done."""
    from airflow.providers.fab.auth_manager.cli_commands.utils import get_application_builder

    done = []
    with get_application_builder() as appbuilder:
        sm = appbuilder.sm
        if sm.find_role(PAGES_ROLE) is None:
            sm.create_roles_from_config()  # [fab] custom_roles (FAB_CUSTOM_ROLES), as FAB's own start-up does
        for user_name, role_names in fab_users(settings).items():
            roles = [sm.find_role(name) for name in role_names]
            missing = [name for name, role in zip(role_names, roles, strict=True) if role is None]
            if missing:
                raise SystemExit(f"FAB role(s) {', '.join(missing)} missing (was `airflow db migrate` run with FAB?)")
            password = fab_password(settings, user_name)
            user = sm.find_user(username=user_name)
            if user is None:
                created = sm.add_user(user_name, "Smartcar", role_names[0], f"{user_name}@localhost", roles, password)
                if not created:
                    raise SystemExit(f"could not create the FAB user {user_name!r}")
                done.append(f"{user_name}: created with roles {', '.join(role_names)}")
                continue
            user.roles = roles
            sm.update_user(user)
            sm.reset_password(user.id, password)
            done.append(f"{user_name}: roles {', '.join(role_names)} and password set")
    return done


def main() -> None:
    for line in ensure_users(get_settings()):
        print(line)


if __name__ == "__main__":
    main()
