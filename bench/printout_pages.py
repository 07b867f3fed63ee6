"""Issue 17: print every demo patient's one-page summary through Chromium to A4, count the pages.

The browser tests print a few made-up patients; this prints all of the demo's. It seeds the demo
(`manage.py seed_demo`) on a temporary SQLite database, or uses an existing one, serves it with
`manage.py runserver` on a free loopback port, logs in as the demo physician (who sees both demo
sites), and prints each patient's printout as the tests do (`page.pdf(format="A4")`):

    .venv/bin/python bench/printout_pages.py                       # a fresh demo, the summary
    .venv/bin/python bench/printout_pages.py --printout scan-request
    .venv/bin/python bench/printout_pages.py --sqlite /tmp/demo.sqlite3 --keep  # seed once, reuse

It prints the distribution of page counts and, for each patient whose printout spills over, what
fills it (open alerts, recommendations, labs, scans, the length of the name). Exits 1 if any does.
For the summary it also prints what gave way to keep it to one sheet, and how far the estimate of
its height (`monitoring/overview/summary_fit.py`) is from the height Chromium lays out.
Not part of the test suite: about two minutes for the demo's 217 patients.
"""

import argparse
import collections
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
CHROMIUM = "/usr/bin/chromium"
USERNAME, PASSWORD = "physician", "bonehealth-demo"  # the demo's documented credentials

# What each patient's printout holds, read from the database the server uses (for the report).
CENSUS = """
import json
import django
django.setup()
from monitoring.models import PatientAssessment
rows = []
for a in PatientAssessment.objects.select_related("patient").order_by("patient_id"):
    p = a.patient
    rows.append({
        "pk": p.pk, "mrn": p.mrn, "name": p.name,
        "alerts": p.alerts.filter(cleared_at=None).count(),
        "recommendations": len(a.data.get("recommendations") or []),
        "schedule": len(a.data.get("schedule") or []),
        "labs": p.lab_results.count(),
        "scans": p.dexa_scans.count(),
    })
print(json.dumps(rows))
"""


def _pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", pdf))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _manage(env: dict[str, str], *args: str) -> None:
    subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True)  # noqa: S603


def _serve(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(  # noqa: S603
        [PYTHON, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--nothreading"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=2)
            return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise SystemExit("the server did not start within 60 s")


# The sheet's width inside the margins of print.css (186 mm), where the summary's estimate of its
# height (monitoring/overview/summary_fit.py) is compared with the height Chromium lays out.
SHEET_WIDTH_PX = 703
MEASURE = """() => {
  const sheet = document.querySelector("main.print-sheet");
  return {
    printed: sheet.getBoundingClientRect().height,
    estimated: Number(sheet.dataset.estimatedPx || 0),
    gaveWay: sheet.dataset.gaveWay || "",
  };
}"""


def _measured(page: Any) -> dict[str, Any]:
    """The sheet laid out for print at the paper's width: its height, estimate, what gave way."""
    viewport = page.viewport_size
    page.set_viewport_size({"width": SHEET_WIDTH_PX, "height": 1000})
    page.emulate_media(media="print")
    measured: dict[str, Any] = page.evaluate(MEASURE)
    page.emulate_media(media="no-override")  # page.pdf's own print media again, not "screen"
    page.set_viewport_size(viewport)
    return measured


def _print_all(
    port: int, printout: str, patients: list[dict[str, Any]]
) -> tuple[dict[int, int], dict[int, dict[str, Any]]]:
    from playwright.sync_api import sync_playwright

    base = f"http://127.0.0.1:{port}"
    pages: dict[int, int] = {}
    fits: dict[int, dict[str, Any]] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page()
        page.goto(f"{base}/accounts/login/")
        page.fill("input[name=username]", USERNAME)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        for patient in patients:
            response = page.goto(f"{base}/patients/{patient['pk']}/{printout}/")
            if response is None or response.status != 200:
                raise SystemExit(f"patient {patient['pk']}: HTTP {response and response.status}")
            chart = page.locator("[data-chart='bmd-chart']")
            if chart.count():
                chart.and_(page.locator("[data-drawn='true']")).wait_for()
            pages[patient["pk"]] = _pages(page.pdf(format="A4", print_background=True))
            if printout == "summary":
                fits[patient["pk"]] = _measured(page)
        browser.close()
    return pages, fits


def _report_fits(fits: dict[int, dict[str, Any]]) -> None:
    """What gave way how often, and how far the estimate is from the printed height."""
    if not fits:
        return
    steps = collections.Counter(
        " + ".join(fit["gaveWay"].split()) or "nothing" for fit in fits.values()
    )
    print("gave way: " + "; ".join(f"{name}: {n}" for name, n in steps.most_common()))
    errors = sorted(fit["estimated"] - fit["printed"] for fit in fits.values())
    under = [error for error in errors if error < 0]
    print(
        f"estimate minus printed height (px): min {errors[0]:.0f}, "
        f"median {errors[len(errors) // 2]:.0f}, max {errors[-1]:.0f}; "
        f"below the printed height: {len(under)}"
        + (
            " (pk "
            + ", ".join(
                f"{pk}: {fit['estimated'] - fit['printed']:.0f}"
                for pk, fit in fits.items()
                if fit["estimated"] < fit["printed"]
            )
            + ")"
            if under
            else ""
        )
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sqlite", help="an SQLite file: seeded if it does not exist yet")
    parser.add_argument("--keep", action="store_true", help="keep the temporary database")
    parser.add_argument("--printout", choices=["summary", "scan-request"], default="summary")
    parser.add_argument("--patients", type=int, default=200, help="seed_demo --patients (200)")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="printout-pages-"))
    database = Path(args.sqlite) if args.sqlite else folder / "demo.sqlite3"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bonehealth.settings",
        "DJANGO_DEBUG": "true",
        "SQLITE_PATH": str(database),
        "BONEHEALTH_ENV_FILE": "",  # not the checkout's .env
    }
    env.pop("DATABASE_URL", None)
    if not database.exists():
        _manage(env, "migrate", "--noinput", "-v", "0")
        _manage(env, "seed_demo", "--no-progress", "--patients", str(args.patients))
    census = subprocess.run(  # noqa: S603
        [PYTHON, "-c", CENSUS], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    patients: list[dict[str, Any]] = json.loads(census.stdout)

    port = _free_port()
    server = _serve(env, port)
    try:
        started = time.monotonic()
        pages, fits = _print_all(port, args.printout, patients)
    finally:
        server.terminate()
        server.wait(timeout=30)
        if not args.keep and not args.sqlite:
            for file in folder.iterdir():
                file.unlink()
            folder.rmdir()

    counts = collections.Counter(pages.values())
    print(
        f"{len(pages)} patients, {args.printout} printout, A4, "
        f"{time.monotonic() - started:.0f} s; pages: "
        + ", ".join(f"{n} page{'s' if n > 1 else ''}: {counts[n]}" for n in sorted(counts))
    )
    _report_fits(fits)
    spilled = [p for p in patients if pages[p["pk"]] > 1]
    if spilled:
        print("| pk | MRN | pages | name length | open alerts | recommendations | labs | scans |")
        print("|---|---|---|---|---|---|---|---|")
    for p in spilled:
        print(
            f"| {p['pk']} | {p['mrn']} | {pages[p['pk']]} | {len(p['name'])} | {p['alerts']} "
            f"| {p['recommendations']} | {p['labs']} | {p['scans']} |"
        )
    if args.keep and not args.sqlite:
        print(f"database kept: {database}")
    return 1 if spilled else 0


if __name__ == "__main__":
    sys.exit(main())
