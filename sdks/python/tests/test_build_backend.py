import sys
import tempfile
import unittest
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "build_backend"))

import flowctl_build  # noqa: E402


class BuildBackendTest(unittest.TestCase):
    @unittest.skipIf(sys.version_info < (3, 11), "tomllib arrived in Python 3.11")
    def test_metadata_matches_the_project_table_of_pyproject(self) -> None:
        import tomllib

        project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
        self.assertEqual(
            (project["name"], project["version"], project["description"], project["requires-python"], project["classifiers"]),
            (flowctl_build.NAME, flowctl_build.version(), flowctl_build.SUMMARY, flowctl_build.REQUIRES_PYTHON, flowctl_build.CLASSIFIERS),
        )
        self.assertEqual(project["dependencies"], [])

    def test_the_wheel_holds_the_typed_package_and_a_consistent_record(self) -> None:
        with tempfile.TemporaryDirectory() as directory:
            name = flowctl_build.build_wheel(directory)
            with zipfile.ZipFile(Path(directory) / name) as wheel:
                names = set(wheel.namelist())
                record = wheel.read(f"flowctl_worker-{flowctl_build.version()}.dist-info/RECORD").decode()
        self.assertTrue({"flowctl_worker/__init__.py", "flowctl_worker/py.typed", "flowctl_worker/worker.py"} <= names)
        self.assertFalse(any("__pycache__" in n for n in names))
        self.assertEqual({line.split(",")[0] for line in record.splitlines()}, names)


if __name__ == "__main__":
    unittest.main()
