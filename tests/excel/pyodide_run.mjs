// Run a Python file in Pyodide under Node, offline: node pyodide_run.mjs PYODIDE_DIR HOST_DIR SCRIPT
// HOST_DIR is mounted at /host (NODEFS); SCRIPT is a path inside it. Exit code 1 if Python raised.
import path from "node:path";
import { pathToFileURL } from "node:url";

const [pyodideDir, hostDir, script] = process.argv.slice(2);
const { loadPyodide } = await import(pathToFileURL(path.join(pyodideDir, "pyodide.mjs")).href);
const pyodide = await loadPyodide({ indexURL: pyodideDir + path.sep });
pyodide.FS.mkdirTree("/host");
pyodide.FS.mount(pyodide.FS.filesystems.NODEFS, { root: hostDir }, "/host");
try {
  pyodide.runPython(`
import sys, runpy
print(sys.version.split()[0], sys.platform)
runpy.run_path(${JSON.stringify(script)}, run_name="__main__")
`);
} catch (err) {
  console.error(String(err));
  process.exit(1);
}
