"""A partner's whole flow, with Dinie's official Python SDK (dinie-sdk-sandbox), against a
dinie-sandbox binary started here. Every answer must decode with the SDK's own types; every
webhook must verify and decode with the SDK's own `extract`.

Usage: python python_flow.py <path to dinie-sandbox>. Exits non-zero on the first mismatch.
Where the SDK itself cannot call a route as published, the workaround goes through the SDK's
own HTTP client and page type and is named here (see NOTE lines).
"""
import base64
import http.server
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
import urllib.request

import dinie
from dinie.generated.types.bank import Bank
from dinie.generated.types.credit_offer_union import deserialize_credit_offer
from dinie.generated.types.customer import Customer
from dinie.generated.types.create_customer_request import CreateCustomerRequest
from dinie.generated.types.customer_bank_account_request import CustomerBankAccountRequest
from dinie.generated.types.update_customer_request import UpdateCustomerRequest
from dinie.generated.types.fixed_installment_credit_offer import FixedInstallmentCreditOffer
from dinie.generated.types.range_installment_credit_offer import RangeInstallmentCreditOffer
from dinie.runtime.errors import ApiError
from dinie.runtime.paginator import SyncCursorPage
from dinie.webhooks import extract

CLIENT_ID, CLIENT_SECRET = "dinie_ci_test_conformance", "dinie_cs_test_conformance"
WEBHOOK_SECRET = "whsec_" + base64.b64encode(b"conformance-webhook-secret").decode()
PDF = b"%PDF-1.4\n% a scanned document\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00 a photo"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def check(cond, what):
    if not cond:
        raise AssertionError(what)
    print(f"ok  {what}")


def cpf():
    while True:
        body = [random.randint(0, 9) for _ in range(9)]
        if len(set(body)) == 1:
            continue
        for n in (10, 11):
            s = sum(d * w for d, w in zip(body, range(n, 1, -1)))
            r = s % 11
            body.append(0 if r < 2 else 11 - r)
        return "{}{}{}.{}{}{}.{}{}{}-{}{}".format(*body)


def cnpj(eighth):
    """A valid CNPJ whose 8th character picks the sandbox's legal form."""
    body = [random.randint(0, 9) for _ in range(12)]
    body[7] = eighth
    for weights in ([5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2], [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2]):
        r = sum(d * w for d, w in zip(body, weights)) % 11
        body.append(0 if r < 2 else 11 - r)
    d = "".join(map(str, body))
    return f"{d[:2]}.{d[2:5]}.{d[5:8]}/{d[8:12]}-{d[12:]}"


class Hooks(http.server.BaseHTTPRequestHandler):
    received = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["content-length"]))
        Hooks.received.append(({k.lower(): v for k, v in self.headers.items()}, body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def main(binary):
    hook_port, api_port = free_port(), free_port()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", hook_port), Hooks)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    sandbox = subprocess.Popen([
        binary, "--listen", f"127.0.0.1:{api_port}", "--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET,
        "--webhook-url", f"http://127.0.0.1:{hook_port}/hooks", "--webhook-secret", WEBHOOK_SECRET,
        "--lookup-delay-ms", "300", "--review-delay-ms", "300",
    ], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{api_port}/api/v3"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"{base}/openapi.json", timeout=1)
                break
            except OSError:
                time.sleep(0.05)
        flow(base)
    finally:
        sandbox.terminate()
        sandbox.wait(timeout=10)
        server.shutdown()


def wait_status(client, cid, status):
    for _ in range(200):
        c = client.customers.retrieve(cid)
        if c.status == status:
            return c
        time.sleep(0.05)
    raise AssertionError(f"{cid} never became {status} (it is {c.status})")


def flow(base):
    client = dinie.Dinie(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, base_url=base)

    # Register an LTDA (8th CNPJ character 6-8): creating, then pending_kyc with co-owners.
    doc, company = cpf(), cnpj(7)
    req = CreateCustomerRequest(cpf=doc, cnpj=company, email="ops@acme.test", phone="+5511999999999",
                                external_id="crm-1")
    created = client.customers.create(req)
    check(created.status == "creating" and created.kyc is None, "create answers creating, no kyc yet")
    check(created.id.startswith("cust_") and len(created.id) == 37, "the id is cust_ + 32 hex")
    check(isinstance(created.created_at, int), "timestamps are epoch seconds")
    again = client.customers.create(req)
    check(again.id == created.id, "the same CPF and external_id is the same customer")
    try:
        client.customers.create(CreateCustomerRequest(cpf=doc, cnpj=company, email="ops@acme.test",
                                                      phone="+5511999999999", external_id="crm-2"))
        raise AssertionError("a conflicting create was accepted")
    except ApiError as e:
        check(e.status == 409 and type(e).__name__ == "ConflictError", "another external_id is a 409 ConflictError")
    # An Idempotency-Key (the SDK sends one on every write) replays the first answer; reused on
    # another body it is refused.
    keyed = CreateCustomerRequest(cpf=cpf(), cnpj=cnpj(1), email="k@acme.test", phone="+5511999999999")
    first = client.customers.create(keyed, request_options={"idempotency_key": "conformance-key-1"})
    replay = client.customers.create(keyed, request_options={"idempotency_key": "conformance-key-1"})
    check(first.id == replay.id, "a repeat with the same Idempotency-Key answers the first answer")
    try:
        client.customers.create(CreateCustomerRequest(cpf=cpf(), cnpj=cnpj(1), email="k@acme.test", phone="+5511999999999"),
                                request_options={"idempotency_key": "conformance-key-1"})
        raise AssertionError("a reused key was accepted")
    except ApiError as e:
        check(e.status == 409 and e.body["code"] == "idempotency_key_reused", "the same key on another body is a 409")
    for bad, status in ((dict(cpf="111.111.111-11", cnpj=company, email="a@b.co", phone="+5511999999999"), 422),):
        try:
            client.customers.create(CreateCustomerRequest(**bad))
            raise AssertionError("an invalid CPF was accepted")
        except ApiError as e:
            check(e.status == status and e.body["type"] == "https://docs.dinie.com/errors/validation-failed",
                  "an invalid CPF is a 422 with Dinie's type URL")

    customer = wait_status(client, created.id, "pending_kyc")
    kinds = [(k.requirement_type, getattr(k, "subject", None) and k.subject.subject_type) for k in customer.kyc]
    check(("articles_of_association", None) in kinds, "an LTDA asks for its articles of association")
    co_owners = {k.subject.id for k in customer.kyc if getattr(k, "subject", None) and k.subject.subject_type == "co_owner"}
    check(len(co_owners) == 2, "an LTDA has two co-owners")
    check(customer.name is not None, "the lookup names the company")

    # List and paginate. NOTE: customers.list() takes no filters in SDK 2.1.0, so the filtered
    # list goes through the SDK's own HTTP client and page type.
    for _ in range(2):
        client.customers.create(CreateCustomerRequest(cpf=cpf(), cnpj=cnpj(1), email="x@y.co", phone="+5511988887777"))
    page = client.customers.list()
    check(all(isinstance(c, Customer) for c in page.data) and len(page.data) >= 3, "list decodes as Customer")
    def page_of_one(cursor=None):
        query = {"limit": 1, **({"starting_after": cursor} if cursor else {})}
        return SyncCursorPage.from_response(client._http.request("GET", "/customers", query=query),
                                            item_type=Customer.deserialize, fetch_page=page_of_one)
    small = page_of_one()
    check(small.has_more and len(list(small)) >= 3, "limit=1 pages through every customer")
    by_cpf = client._http.request("GET", "/customers", query={"cpf": doc})
    check([c["id"] for c in by_cpf["data"]] == [created.id], "the cpf filter finds the customer")

    # PATCH: e-mail and phone only.
    updated = client.customers.update(created.id, UpdateCustomerRequest(phone="+5511977776666"))
    check(updated.phone == "+5511977776666", "PATCH changes the phone")
    try:
        client._http.request("PATCH", f"/customers/{created.id}", body={"name": "Outro nome"})
        raise AssertionError("a read-only field was changed")
    except ApiError as e:
        check(e.status == 422, "PATCH of a read-only field is a 422")

    # Every evidence type.
    att = client.customers.kyc_attachments
    for k in customer.kyc:
        rid, t = k.requirement_id, k.requirement_type
        if t == "identity":
            r1 = att.create(created.id, {"requirement_id": rid, "evidence_type": "rg", "attachment_type": "front", "file": PDF})
            r2 = att.create(created.id, {"requirement_id": rid, "evidence_type": "rg", "attachment_type": "back", "file": PDF})
            check(r1.submitted and r2.attachment_type == "back", f"RG front and back of {k.subject.name}")
        elif t == "email":
            r = att.create(created.id, {"requirement_id": rid, "evidence_type": "email", "attachment_type": "email", "value": "socio@acme.test"})
            check(r.attachment_type == "email", f"e-mail value of {k.subject.name}")
        elif t in ("articles_of_association", "income_statement"):
            r = att.create(created.id, {"requirement_id": rid, "evidence_type": t, "attachment_type": "file", "file": PDF})
            check(r.submitted, f"{t} file")
    try:
        att.create(created.id, {"requirement_id": "articles_of_association", "evidence_type": "ccmei", "attachment_type": "file", "file": PDF})
        raise AssertionError("a wrong evidence type was accepted")
    except ApiError as e:
        check(e.status in (409, 422), "an evidence type that does not fit is refused")
    selfies = [k for k in customer.kyc if k.requirement_type == "selfie"]
    try:
        att.upload_selfie(created.id, {"requirement_id": selfies[0].requirement_id, "file": JPEG})
        raise AssertionError("a partner uploaded a selfie")
    except ApiError as e:
        check(e.status == 403 and type(e).__name__ == "PermissionDeniedError", "a partner's selfie is a 403")
    try:
        client.customers.start_kyc_review(created.id)
        raise AssertionError("review started without the selfies")
    except ApiError as e:
        check(e.status == 422 and len(e.body["missing"]) == 3, "review refused: the three selfies are missing")

    # Biometrics: the session's own token uploads the selfies and the bank account.
    session = client.customers.create_biometrics_session(created.id, {})
    check(session.session_url.startswith("http") and isinstance(session.expires_at, int), "a biometrics session")
    code = session.session_url.rsplit("/", 1)[1]
    capture = dinie.Dinie(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, base_url=base, code=code)
    for k in selfies:
        r = capture.customers.kyc_attachments.upload_selfie(created.id, {"requirement_id": k.requirement_id, "file": JPEG})
        check(r.attachment_type == "photo", f"selfie of {k.subject.name} by the session")
    banks = client._http.request("GET", "/banks")
    # NOTE: banks.list() in SDK 2.1.0 decodes the `{data}` envelope as a single Bank; each item
    # is decoded here with the SDK's Bank type instead.
    bank = [Bank.deserialize(b) for b in banks["data"]][0]
    account = capture.customers.upsert_bank_account(created.id, CustomerBankAccountRequest(
        bank_id=bank.id, branch="0001", number="1234567", digit="0", kind="checking"))
    check(account.id.startswith("ba_") and account.bank_name == bank.name, "the session saves the bank account")
    check(client.customers.retrieve_bank_account(created.id).number == "1234567", "the partner reads it back")

    client.customers.start_kyc_review(created.id)
    check(client.customers.retrieve(created.id).status == "under_review", "kyc-review: under_review")
    active = wait_status(client, created.id, "active")
    check(all(k.submitted.review_status == "accepted" for k in active.kyc if k.submitted), "every requirement accepted")
    offers = client.customers.credit_offers.list(created.id)
    shapes = {type(o) for o in offers.data}
    check(shapes == {FixedInstallmentCreditOffer, RangeInstallmentCreditOffer}, "offers of both shapes decode")

    # A rejection, fixed and resubmitted; then a denial.
    mei = client.customers.create(CreateCustomerRequest(cpf=cpf(), cnpj=cnpj(2), email="mei+deny@acme.test", phone="+5511999990000"))
    mei = wait_status(client, mei.id, "pending_kyc")
    identity = next(k for k in mei.kyc if k.requirement_type == "identity")
    ccmei = next(k for k in mei.kyc if k.requirement_type == "company_document")
    att.create(mei.id, {"requirement_id": identity.requirement_id, "evidence_type": "cnh", "attachment_type": "file", "file": PDF})
    client._http.request("POST", f"/customers/{mei.id}/kyc-attachments", body=__import__("dinie.runtime.multipart", fromlist=["MultipartBody"]).MultipartBody(
        fields={"requirement_id": ccmei.requirement_id, "evidence_type": "ccmei", "attachment_type": "file"},
        file=PDF, file_name="ccmei-reject.pdf"))
    s = client.customers.create_biometrics_session(mei.id, {})
    mei_capture = dinie.Dinie(client_id=CLIENT_ID, client_secret=CLIENT_SECRET, base_url=base, code=s.session_url.rsplit("/", 1)[1])
    selfie = next(k for k in mei.kyc if k.requirement_type == "selfie")
    mei_capture.customers.kyc_attachments.upload_selfie(mei.id, {"requirement_id": selfie.requirement_id, "file": JPEG})
    client.customers.start_kyc_review(mei.id)
    back = wait_status(client, mei.id, "pending_kyc")
    rejected = next(k for k in back.kyc if k.requirement_id == ccmei.requirement_id)
    check(rejected.submitted.review_status == "rejected" and rejected.submitted.review_reason, "a rejection with its reason")
    att.create(mei.id, {"requirement_id": ccmei.requirement_id, "evidence_type": "ccmei", "attachment_type": "file", "file": PDF})
    client.customers.start_kyc_review(mei.id)
    wait_status(client, mei.id, "denied")
    check(True, "resubmitted after the rejection, then denied (+deny)")

    # The other legal forms, and with them every other evidence type: an EI (EI/MEI documents,
    # income statement, proof of address, a CNH in front and back) and an EIRELI (its
    # incorporation statement, a CNH in one scan).
    uploads = {
        4: [("ei_mei_documents", "ei_mei", "ei_registration_requirement"), ("income_statement", "income_statement", "file"),
            ("proof_of_address", "proof_of_address", "file"), ("identity", "cnh", "front"), ("identity", "cnh", "back")],
        9: [("eireli_incorporation_statement", "eireli_incorporation_statement", "file"), ("identity", "cnh", "file")],
    }
    for eighth, parts in uploads.items():
        c = client.customers.create(CreateCustomerRequest(cpf=cpf(), cnpj=cnpj(eighth), email="f@acme.test", phone="+5511999990000"))
        c = wait_status(client, c.id, "pending_kyc")
        for requirement_type, evidence, attachment in parts:
            k = next(k for k in c.kyc if k.requirement_type == requirement_type)
            r = att.create(c.id, {"requirement_id": k.requirement_id, "evidence_type": evidence, "attachment_type": attachment, "file": PDF})
            check(r.attachment_type == attachment, f"{requirement_type}: {evidence}/{attachment}")
        done = client.customers.retrieve(c.id)
        check(all(k.submitted is not None for k in done.kyc if k.requirement_type != "selfie"), f"form {eighth}: every document requirement has its evidence")

    # Errors.
    for call, status, name in (
        (lambda: client.customers.retrieve("cust_" + "0" * 32), 404, "NotFoundError"),
        (lambda: dinie.Dinie(client_id=CLIENT_ID, client_secret="dinie_cs_test_wrong", base_url=base).customers.list(), 401, None),
    ):
        try:
            call()
            raise AssertionError(f"expected {status}")
        except ApiError as e:
            check(e.status == status and (name is None or type(e).__name__ == name), f"{status} {name or ''}")

    # Webhooks: every delivery verifies and decodes with the SDK's extract.
    deadline = time.time() + 15
    wanted = {"customer.created", "customer.kyc_updated", "customer.under_review", "customer.active",
              "customer.denied", "credit_offer.available"}
    while time.time() < deadline and not wanted <= {json.loads(b)["type"] for _, b in Hooks.received}:
        time.sleep(0.1)
    seen = set()
    for headers, body in list(Hooks.received):
        event = extract(headers=headers, body=body, secret=WEBHOOK_SECRET)
        check(event.api_version == "2026-03-01" and event.delivery_id.startswith("dlv_"), f"webhook {event.type} verifies and decodes")
        seen.add(event.type)
    check(wanted <= seen, f"every customer event was delivered ({sorted(seen)})")


if __name__ == "__main__":
    main(sys.argv[1])
    print("the official Python SDK's flow passed")
