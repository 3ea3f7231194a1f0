"""`--html` on check, search and gate writes one self-contained report with diagrams."""

from checker.cli import main


def _report(path) -> str:
    text = path.read_text()
    assert text.startswith("<!DOCTYPE html>")
    assert "http://" not in text.replace("http://www.w3.org/2000/svg", "")
    assert "https://" not in text
    return text


def test_check_html(tmp_path, capsys):
    path = tmp_path / "check.html"
    main(["check", "--quiet", "--n", "3", "--w", "1", "--r", "1", "--clients", "w,r",
          "--html", str(path)])
    capsys.readouterr()
    assert _report(path).count("<svg") == 2  # stale-read and linearizable


def test_search_html(tmp_path, capsys):
    path = tmp_path / "search.html"
    code = main(["search", "--quiet", "--n", "3", "--w", "2", "--r", "1", "--clients", "w,r",
                 "--timeouts", "--properties", "write-atomicity", "--examples", "20",
                 "--html", str(path)])
    capsys.readouterr()
    assert code == 1
    assert "write-atomicity" in _report(path) and "<svg" in _report(path)


def test_gate_html_shows_the_failing_scenario(tmp_path, capsys):
    gate = tmp_path / "leaderless.toml"
    gate.write_text('[[scenario]]\nname = "ok"\nclients = "w,r"\nrequire = ["stale-read"]\n\n'
                    '[[scenario]]\nname = "ones"\nn = 3\nw = 1\nr = 1\nclients = "w,r"\n'
                    'require = ["stale-read"]\n')
    path = tmp_path / "gate.html"
    assert main(["gate", str(gate), "--quiet", "--html", str(path)]) == 1
    capsys.readouterr()
    text = _report(path)
    # The report is the failing scenario's: w = r = 1, a stale-read diagram.
    assert ('<td class="mono">3</td><td class="mono">1</td><td class="mono">1</td>' in text)
    assert "<svg" in text and "stale-read" in text
