"""The platform's pages inside the Airflow 3 UI (the plugin class is in ``smartcar_ui_plugin``).

Airflow's plugin loader imports every ``.py`` under ``plugins/`` by its file stem, so this package
keeps its modules out of that walk with ``.airflowignore`` and exposes one uniquely named entry file.
"""
