"""Builds odoosync._odoosync through the project's CMake (no PyPI: pybind11 comes from Debian's
pybind11-dev). `pip install --no-build-isolation ./bindings/python` runs this.

ODOOSYNC_PY_BUILD_DIR: the CMake build directory to use (default: <repo>/build/python). An existing,
configured directory (e.g. build/dev) is only built, never reconfigured."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


class CMakeExtension(Extension):
    def __init__(self, name):
        super().__init__(name, sources=[])


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        cmake = shutil.which("cmake")
        if not cmake:
            sys.exit("odoosync: building the Python module needs cmake (Debian: apt-get install cmake ninja-build)")
        build = Path(os.environ.get("ODOOSYNC_PY_BUILD_DIR") or ROOT / "build" / "python").resolve()
        if not (build / "CMakeCache.txt").exists():
            configure = [cmake, "-S", str(ROOT), "-B", str(build), "-DCMAKE_BUILD_TYPE=Release",
                         "-DODOOSYNC_BUILD_BINDINGS=ON", "-DODOOSYNC_BUILD_TESTS=OFF", "-DODOOSYNC_BUILD_EXAMPLES=OFF",
                         "-DODOOSYNC_INSTALL=OFF", f"-DPython3_EXECUTABLE={sys.executable}"]
            if shutil.which("ninja"):
                configure += ["-G", "Ninja"]
            subprocess.check_call(configure)
        subprocess.check_call([cmake, "--build", str(build), "--target", "odoosync_python"])
        built = sorted((build / "bindings" / "python" / "odoosync").glob("_odoosync*.so"))
        if not built:
            sys.exit(f"odoosync: the build in {build} made no _odoosync module")
        target = Path(self.get_ext_fullpath(ext.name)).resolve()
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(built[0], target)
        # The emulator's data (fields and demo records of Odoo 18 and 19) inside the package, so
        # odoosync.Emulator works wherever the package is installed.
        data = target.parent / "emulator_data"
        shutil.copytree(ROOT / "src" / "emulator" / "data", data, dirs_exist_ok=True)


setup(ext_modules=[CMakeExtension("odoosync._odoosync")], cmdclass={"build_ext": CMakeBuild})
