"""Build hook: a wheel carries the shipped inputs a forecast reads (``adoption/shipped/``).

Everything else about the package is in ``pyproject.toml``. The shipped posterior, the
figures it was fitted to, the priors and the scenarios live at the top of the repository
(``calibration/``, ``scenarios/``), where researchers and planners look for them; an
installed wheel has no repository around it, so the build copies them into the package,
where :data:`adoption.files.SHIPPED` finds them through ``importlib.resources``. An editable
install reads the clone's own folders and copies nothing.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

#: The shipped inputs a wheel carries: folder -> file patterns.
SHIPPED = {
    "calibration": [
        "posterior.csv",
        "posterior_summary.csv",
        "targets.csv",
        "observations.csv",
        "priors.toml",
        "calibration.toml",
    ],
    "scenarios": ["*.toml"],
}


class BuildWithShipped(build_py):
    """``build_py`` that also copies :data:`SHIPPED` into ``adoption/shipped/``."""

    def run(self):  # noqa: D102 - build_py.run, plus the copy
        super().run()
        if getattr(self, "editable_mode", False):
            return
        root = Path(__file__).resolve().parent
        for folder, patterns in SHIPPED.items():
            target = Path(self.build_lib) / "adoption" / "shipped" / folder
            self.mkpath(str(target))
            for pattern in patterns:
                for source in sorted((root / folder).glob(pattern)):
                    self.copy_file(str(source), str(target / source.name))


setup(cmdclass={"build_py": BuildWithShipped})
