"""Clinic load for locust: nurses entering scans, physicians reviewing patients and signing off.

`python bench/scale.py` runs it last (50 users, 5 minutes) against gunicorn on the benchmark
database; by hand, against a server of your own on 127.0.0.1 (bench/README.md):

    locust -f bench/locustfile.py --headless -u 50 -r 5 -t 5m --host http://127.0.0.1:8000

Each simulated user logs in once through the login form as the demo nurse or physician
(password `bonehealth-demo`), then works: nurses search, open a patient and record a DEXA scan;
physicians open the alert dashboard and its patients, search, and sign off scans awaiting
review. A response other than the expected page (a 4xx/5xx, a redirect to the login page, a form
shown again with errors) counts as a failure.
"""

from __future__ import annotations

import random
import re
from datetime import date, timedelta

from locust import HttpUser, between, task

PASSWORD = "bonehealth-demo"  # noqa: S105  (the documented demo password)
PATIENT_LINK = re.compile(r'href="/patients/(\d+)/"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
SCANNER = re.compile(r'<option value="(\d+)"')
SIGN_OFF = re.compile(r'action="(/patients/\d+/scans/\d+/sign-off/)"')
SEARCHES = ("DEMO-00", "DEMO-01", "DEMO-02", "son", "ley", "Smith", "an", "mar")


class Clinician(HttpUser):
    abstract = True
    username = ""
    wait_time = between(1, 3)

    def on_start(self) -> None:
        page = self.client.get("/accounts/login/", name="login form")
        response = self.client.post(
            "/accounts/login/",
            {
                "username": self.username,
                "password": PASSWORD,
                "csrfmiddlewaretoken": _csrf(page.text),
            },
            headers={"Referer": f"{self.host}/accounts/login/"},
            name="login",
        )
        if "/accounts/login/" in response.url:
            raise RuntimeError(f"login failed for {self.username}")
        self.patients: list[str] = []

    def _pick_patient(self) -> str:
        """A patient from a patient-list search (refreshed now and then)."""
        if not self.patients or random.random() < 0.2:
            with self.client.get(
                "/patients/",
                params={"q": random.choice(SEARCHES), "page": random.randint(1, 5)},
                name="patient list search",
                catch_response=True,
            ) as response:
                found = PATIENT_LINK.findall(response.text)
                if response.status_code != 200:
                    response.failure(f"status {response.status_code}")
                elif found:
                    self.patients = found
                elif not self.patients:
                    # An empty result page is a valid answer; fall back to the first page.
                    self.patients = PATIENT_LINK.findall(self.client.get("/patients/").text)
        return random.choice(self.patients)

    def _patient_page(self, pk: str) -> str:
        with self.client.get(
            f"/patients/{pk}/", name="patient page", catch_response=True
        ) as response:
            if response.status_code != 200 or "/accounts/login/" in response.url:
                response.failure(f"status {response.status_code} at {response.url}")
            return response.text


class Nurse(Clinician):
    username = "nurse"
    weight = 3

    @task(3)
    def browse(self) -> None:
        self._patient_page(self._pick_patient())

    @task(1)
    def record_scan(self) -> None:
        pk = self._pick_patient()
        self._patient_page(pk)
        url = f"/patients/{pk}/scans/new/"
        form = self.client.get(url, name="scan form").text
        scanners = SCANNER.findall(form)
        if not scanners:
            return
        day = date.today() - timedelta(days=random.randint(0, 300))  # noqa: DTZ011
        t_spine = round(random.uniform(-3.0, 0.5), 1)
        t_hip = round(random.uniform(-2.5, 0.5), 1)
        data = {
            "csrfmiddlewaretoken": _csrf(form),
            "scan_date": day.isoformat(),
            "scanner": random.choice(scanners),
            "lumbar_spine_bmd": f"{1.047 + 0.110 * t_spine:.3f}",
            "lumbar_spine_t_score": f"{t_spine:.1f}",
            "total_hip_bmd": f"{0.942 + 0.120 * t_hip:.3f}",
            "total_hip_t_score": f"{t_hip:.1f}",
        }
        with self.client.post(
            url,
            data,
            headers={"Referer": f"{self.host}{url}"},
            name="record scan",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code == 302:
                response.success()
            elif response.status_code == 200 and "already" in response.text:
                # Another simulated nurse scanned this patient on this day: a refused duplicate.
                response.success()
            else:
                response.failure(f"status {response.status_code}: scan not saved")


class Physician(Clinician):
    username = "physician"
    weight = 2

    @task(2)
    def dashboard(self) -> None:
        """Open the alert dashboard and review one of the patients on it."""
        with self.client.get("/dashboard/", name="dashboard", catch_response=True) as response:
            if response.status_code != 200 or "/accounts/login/" in response.url:
                response.failure(f"status {response.status_code} at {response.url}")
                return
            found = PATIENT_LINK.findall(response.text)
        if found:
            self._patient_page(random.choice(found))

    @task(3)
    def review(self) -> None:
        self._patient_page(self._pick_patient())

    @task(1)
    def sign_off(self) -> None:
        pk = self._pick_patient()
        page = self._patient_page(pk)
        pending = SIGN_OFF.findall(page)
        if not pending:
            return
        url = pending[0]
        with self.client.post(
            url,
            {"csrfmiddlewaretoken": _csrf(page)},
            headers={"Referer": f"{self.host}/patients/{pk}/"},
            name="sign off scan",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code not in (302, 200):
                response.failure(f"status {response.status_code}")


def _csrf(html: str) -> str:
    match = CSRF.search(html)
    return match.group(1) if match else ""
