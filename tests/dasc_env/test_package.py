import subprocess
import sys


def test_importing_dasc_env_pulls_in_neither_torch_nor_matplotlib():
    code = "import sys, dasc_env, dasc_env.wrappers; print(sorted({'torch', 'matplotlib'} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
