#!/usr/bin/env python3
"""Writes ../openapi.json: the sandbox's OpenAPI 3.1 description of Dinie's contract 2026-03-01.

The JSON is the artefact (served at /api/v3/openapi.json, checked by tests/openapi.rs against
real answers, and fuzzed by schemathesis in `make test`); this script is how it is written, so
that a change is one edit here and `python3 scripts/openapi.py`.
"""
import json
import pathlib

S = lambda t, **kw: {"type": t, **kw}
REF = lambda n: {"$ref": f"#/components/schemas/{n}"}
NULLABLE_STR = {"type": ["string", "null"]}
EPOCH = {"type": "integer", "description": "epoch seconds"}

PERSON_TYPES = ["identity", "selfie", "proof_of_address", "email"]
COMPANY_TYPES = ["company_document", "ei_mei_documents", "income_statement",
                 "articles_of_association", "eireli_incorporation_statement"]
EVIDENCE = ["cnh", "rg", "selfie", "proof_of_address", "email", "ccmei", "ei_mei",
            "income_statement", "articles_of_association", "eireli_incorporation_statement"]
ATTACHMENTS = ["front", "back", "file", "photo", "email", "ccmei", "ei_registration_requirement"]
CPF = r"^[0-9]{3}\.?[0-9]{3}\.?[0-9]{3}-?[0-9]{2}$"
CNPJ = r"^[0-9A-Z]{2}\.?[0-9A-Z]{3}\.?[0-9A-Z]{3}/?[0-9A-Z]{4}-?[0-9]{2}$"
# No white space (Unicode's White_Space, as Rust's char::is_whitespace: written out, because a
# regex's \s differs at U+0085 and U+FEFF), one @, a dot in the domain, no empty label.
WS = r"\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
EMAIL = {"type": "string", "maxLength": 254, "pattern": f"^[^{WS}@]+@([^{WS}@.]+\\.)+[^{WS}@.]+$"}
PHONE = {"type": "string", "pattern": r"^\+55[1-9][1-9](9[0-9]{8}|[2-5][0-9]{7})$", "description": "E.164"}
BANK_IDS = ["001", "033", "077", "104", "237", "260", "336", "341", "748", "756"]
STATUSES = ["creating", "pending_kyc", "under_review", "active", "denied"]

def obj(props, required=None, **kw):
    o = {"type": "object", "properties": props}
    if required:
        o["required"] = required
    o.update(kw)
    return o

schemas = {
    "Problem": obj({
        "type": S("string", format="uri"), "title": S("string"), "status": S("integer"),
        "detail": S("string"), "code": S("string"), "param": NULLABLE_STR,
        "errors": S("array", items=obj({"param": S("string"), "detail": S("string"), "code": S("string")},
                                       ["param", "detail", "code"])),
        "missing": S("array", items=S("string")),
        "customer_id": S("string"), "expires_at": S("integer"),
    }, ["type", "title", "status", "detail", "code"]),
    "Token": obj({"access_token": S("string"), "token_type": S("string", enum=["bearer"]),
                  "expires_in": S("integer")}, ["access_token", "token_type", "expires_in"]),
    "KycSubject": obj({"id": S("string"), "name": S("string"),
                       "subject_type": S("string", enum=["applicant", "co_owner"])},
                      ["id", "name", "subject_type"]),
    "KycAttachment": obj({"attachment_type": S("string", enum=ATTACHMENTS), "submitted": S("boolean")},
                         ["attachment_type", "submitted"]),
    "KycSubmitted": obj({
        "evidence_type": S("string", enum=EVIDENCE),
        "attachments": S("array", items=REF("KycAttachment")),
        "review_status": S("string", enum=["pending", "accepted", "rejected"]),
        "review_reason": NULLABLE_STR,
    }, ["evidence_type", "attachments", "review_status", "review_reason"]),
    "PersonRequirement": obj({
        "requirement_id": S("string"), "requirement_type": S("string", enum=PERSON_TYPES),
        "label": S("string"), "mandatory": S("boolean"), "subject": REF("KycSubject"),
        "submitted": REF("KycSubmitted"),
    }, ["requirement_id", "requirement_type", "label", "mandatory", "subject"]),
    "CompanyRequirement": obj({
        "requirement_id": S("string"), "requirement_type": S("string", enum=COMPANY_TYPES),
        "label": S("string"), "mandatory": S("boolean"), "submitted": REF("KycSubmitted"),
    }, ["requirement_id", "requirement_type", "label", "mandatory"]),
    "KycRequirement": {"oneOf": [REF("PersonRequirement"), REF("CompanyRequirement")]},
    "Customer": obj({
        "id": S("string", pattern="^cust_[0-9a-f]{32}$"), "status": S("string", enum=STATUSES),
        "cpf": S("string"), "cnpj": S("string"), "name": NULLABLE_STR, "email": S("string"),
        "phone": S("string"), "trading_name": NULLABLE_STR, "external_id": NULLABLE_STR,
        "kyc": S("array", items=REF("KycRequirement"), description="absent while creating"),
        "created_at": EPOCH, "updated_at": EPOCH,
        "metadata": S("object"),
    }, ["id", "status", "cpf", "cnpj", "name", "email", "phone", "trading_name", "external_id",
        "created_at", "updated_at"]),
    "CustomerList": obj({"data": S("array", items=REF("Customer")), "has_more": S("boolean")},
                        ["data", "has_more"]),
    "CreateCustomerRequest": obj({
        "cpf": S("string", pattern=CPF, description="11 digits, masked or not, with valid check digits"),
        "cnpj": S("string", pattern=CNPJ, description="14 characters, masked or not, the first 12 may be letters; valid check digits"),
        "email": EMAIL, "phone": PHONE,
        "name": S("string", maxLength=200), "external_id": S("string", maxLength=255),
    }, ["cpf", "cnpj", "email", "phone"]),
    "UpdateCustomerRequest": obj({"email": EMAIL, "phone": PHONE}),
    "KycAttachmentUpload": obj({
        "requirement_id": S("string", minLength=1), "evidence_type": S("string", enum=EVIDENCE),
        "attachment_type": S("string", enum=ATTACHMENTS),
        "file": S("string", contentMediaType="application/octet-stream",
                  description="PDF, JPEG or PNG by content; for document requirements"),
        "value": S("string", description="for data requirements (email)"),
    }, ["requirement_id", "evidence_type", "attachment_type"], additionalProperties=False),
    "SelfieUpload": obj({"requirement_id": S("string", minLength=1),
                         "file": S("string", contentMediaType="application/octet-stream")},
                        ["requirement_id", "file"], additionalProperties=False),
    "KycAttachmentResponse": obj({"attachment_type": S("string"), "submitted": S("boolean")},
                                 ["attachment_type", "submitted"]),
    "BiometricsSession": obj({"session_url": S("string", format="uri"), "expires_at": EPOCH},
                             ["session_url", "expires_at"]),
    "SessionExchangeRequest": obj({"code": S("string", minLength=1)}, ["code"]),
    "SessionExchangeResponse": obj({"access_token": S("string"), "token_type": S("string", enum=["bearer"]),
                                    "expires_in": S("integer"), "customer_id": S("string")},
                                   ["access_token", "token_type", "expires_in", "customer_id"]),
    "BankAccountFields": obj({
        "bank_id": S("string", enum=BANK_IDS), "branch": S("string", pattern="^[0-9]{1,5}$"),
        "number": S("string", pattern="^[0-9]{1,20}$"), "digit": S("string", pattern="^[0-9Xx]$"),
        "kind": S("string", enum=["checking", "saving", "payment"]),
    }, ["bank_id", "branch", "number", "digit", "kind"]),
    "BankAccountRequest": obj({"bank_account": REF("BankAccountFields")}, ["bank_account"]),
    "BankAccount": obj({
        "id": S("string", pattern="^ba_[0-9a-f]{32}$"), "bank_id": S("string"), "bank_name": S("string"),
        "branch": S("string"), "number": S("string"), "digit": S("string"),
        "kind": S("string", enum=["checking", "saving", "payment"]), "updated_at": EPOCH,
    }, ["id", "bank_id", "bank_name", "branch", "number", "digit", "kind", "updated_at"]),
    "Bank": obj({"id": S("string"), "name": S("string"), "display_name": S("string")},
                ["id", "name", "display_name"]),
    "BankList": obj({"data": S("array", items=REF("Bank"))}, ["data"]),
}
offer_base = {
    "id": S("string", pattern="^co_[0-9a-f]{32}$"), "customer_id": S("string"), "external_id": NULLABLE_STR,
    "status": S("string", enum=["available", "accepted", "expired"]),
    "approved_amount": S("number"), "min_amount": S("number"), "monthly_interest_rate": S("number"),
    "due_date_rule": NULLABLE_STR, "valid_until": EPOCH, "created_at": EPOCH, "updated_at": EPOCH,
}
base_req = ["id", "customer_id", "status", "approved_amount", "min_amount", "monthly_interest_rate",
            "valid_until", "created_at", "updated_at"]
schemas["FixedInstallmentCreditOffer"] = obj({**offer_base, "installments": S("integer", minimum=1)},
                                             base_req + ["installments"])
schemas["RangeInstallmentCreditOffer"] = obj({**offer_base, "min_installments": S("integer", minimum=1),
                                              "max_installments": S("integer", minimum=1)},
                                             base_req + ["min_installments", "max_installments"])
schemas["CreditOffer"] = {"oneOf": [REF("FixedInstallmentCreditOffer"), REF("RangeInstallmentCreditOffer")]}
schemas["CreditOfferList"] = obj({"data": S("array", items=REF("CreditOffer")), "has_more": S("boolean")},
                                 ["data", "has_more"])

def problem(desc):
    return {"description": desc, "content": {"application/problem+json": {"schema": REF("Problem")}}}

def ok(desc, schema):
    return {"description": desc, "content": {"application/json": {"schema": REF(schema)}}}

RATE = {"429": problem("rate limit exceeded")}
AUTH = {"401": problem("no token, or an expired or unknown one")}
IDEM = [{"$ref": "#/components/parameters/IdempotencyKey"}, {"$ref": "#/components/parameters/XIdempotencyKey"}]
CID = {"name": "customer_id", "in": "path", "required": True, "schema": S("string")}
LIMIT = {"name": "limit", "in": "query", "schema": S("integer", minimum=1, maximum=100)}
AFTER = {"name": "starting_after", "in": "query", "schema": S("string")}
JSON = lambda schema: {"required": True, "content": {"application/json": {"schema": REF(schema)}}}

def op(summary, responses, params=(), body=None, security=True, op_id=None):
    o = {"summary": summary, "operationId": op_id, "parameters": list(params),
         "responses": {**responses, **RATE, **({**AUTH} if security else {})}}
    if body:
        o["requestBody"] = body
    if not security:
        o["security"] = []
    return o

paths = {
    "/auth/token": {"post": op("Get an access token (client credentials)", {
        "200": ok("a bearer token", "Token"), "400": problem("grant_type is not client_credentials"),
        "401": problem("unknown client or wrong secret"),
        "415": problem("the body is neither a form nor JSON")},
        body={"required": True, "content": {
            "application/x-www-form-urlencoded": {"schema": obj({"grant_type": S("string", enum=["client_credentials"])}, ["grant_type"])},
            "application/json": {"schema": obj({"grant_type": S("string", enum=["client_credentials"]),
                                                "client_id": S("string"), "client_secret": S("string")}, ["grant_type"])}}},
        security=False, op_id="createToken")},
    "/customers": {
        "post": op("Register a customer (idempotent on CPF)", {
            "200": ok("the customer already registered with this CPF and external_id", "Customer"),
            "201": ok("a new customer, creating or pending_kyc", "Customer"),
            "400": problem("the body is not a JSON object, or a bad Idempotency-Key"),
            "409": problem("this CPF is registered under another external_id, or the Idempotency-Key is in use or was used with another body"),
            "415": problem("not JSON"), "422": problem("invalid fields")},
            params=IDEM, body=JSON("CreateCustomerRequest"), op_id="createCustomer"),
        "get": op("List customers", {"200": ok("a page, newest first unless sort/order say otherwise", "CustomerList"),
                                     "400": problem("an invalid filter"),
                                     "404": problem("the starting_after customer does not exist")},
                  params=[{"name": "cpf", "in": "query", "schema": S("string")},
                          {"name": "external_id", "in": "query", "schema": S("string")},
                          {"name": "status", "in": "query", "schema": S("string", enum=STATUSES)},
                          {"name": "sort", "in": "query", "schema": S("string", enum=["created_at", "updated_at"])},
                          {"name": "order", "in": "query", "schema": S("string", enum=["asc", "desc"])},
                          LIMIT, AFTER], op_id="listCustomers"),
    },
    "/customers/{customer_id}": {
        "get": op("Retrieve a customer", {"200": ok("the customer with its kyc", "Customer"),
                                          "404": problem("no such customer")}, params=[CID], op_id="retrieveCustomer"),
        "patch": op("Correct the e-mail or phone", {
            "200": ok("the customer", "Customer"), "400": problem("not a JSON object"),
            "404": problem("no such customer"), "415": problem("not JSON"),
            "422": problem("an invalid or read-only field")},
            params=[CID, *IDEM], body=JSON("UpdateCustomerRequest"), op_id="updateCustomer"),
    },
    "/customers/{customer_id}/kyc-attachments": {"post": op("Upload one part of a requirement's evidence", {
        "201": ok("received", "KycAttachmentResponse"), "400": problem("not valid multipart"),
        "404": problem("no such customer"), "409": problem("the customer takes no evidence now, or it was accepted"),
        "413": problem("the file is too large"), "415": problem("not multipart/form-data"),
        "422": problem("an unknown requirement, evidence that does not fit it, a bad file or value")},
        params=[CID, *IDEM], body={"required": True, "content": {"multipart/form-data": {"schema": REF("KycAttachmentUpload")}}},
        op_id="createKycAttachment")},
    "/customers/{customer_id}/kyc-attachments/selfie": {"post": op("Upload a selfie (biometrics session only)", {
        "201": ok("received", "KycAttachmentResponse"), "400": problem("not valid multipart"),
        "403": problem("a partner token: only the session may"), "404": problem("no such customer"),
        "409": problem("the customer takes no evidence now"), "413": problem("too large"),
        "415": problem("not multipart/form-data"), "422": problem("not a selfie requirement, or a bad file")},
        params=[CID, *IDEM], body={"required": True, "content": {"multipart/form-data": {"schema": REF("SelfieUpload")}}},
        op_id="uploadKycSelfie")},
    "/customers/{customer_id}/kyc-review": {"post": op("Submit the evidence for review", {
        "202": {"description": "submitted; the customer is under_review"},
        "400": problem("a bad Idempotency-Key"),
        "404": problem("no such customer"), "409": problem("the customer is not pending_kyc"),
        "422": problem("a mandatory requirement is incomplete (`missing` lists them)")},
        params=[CID, *IDEM], op_id="startKycReview")},
    "/customers/{customer_id}/biometrics": {"post": op("Open a biometrics capture session", {
        "200": ok("a single-use link to the capture app", "BiometricsSession"),
        "400": problem("the body is not a JSON object"),
        "404": problem("no such customer"), "409": problem("not pending_kyc, already captured, or a session is open"),
        "422": problem("no selfie is required")},
        params=[CID, *IDEM], body={"required": False, "content": {"application/json": {"schema": S("object")}}},
        op_id="createBiometricsSession")},
    "/biometrics/session-exchange": {"post": op("Exchange a capture code for a session token", {
        "200": ok("a token bound to the customer", "SessionExchangeResponse"),
        "400": problem("not JSON"), "404": problem("unknown code"), "409": problem("the code was used"),
        "410": problem("the session expired"), "415": problem("not JSON"), "422": problem("no code")},
        params=IDEM, body=JSON("SessionExchangeRequest"), security=False, op_id="exchangeBiometricsSession")},
    "/customers/{customer_id}/bank-account": {
        "get": op("Get the bank account", {"200": ok("the account", "BankAccount"),
                                           "404": problem("no such customer, or no account yet")},
                  params=[CID], op_id="retrieveBankAccount"),
        "post": op("Create or replace the bank account", {
            "200": ok("the account", "BankAccount"), "400": problem("not a {bank_account} object"),
            "404": problem("no such customer"), "415": problem("not JSON"), "422": problem("invalid fields")},
            params=[CID, *IDEM], body=JSON("BankAccountRequest"), op_id="upsertBankAccount"),
    },
    "/openapi.json": {"get": {"summary": "This document", "security": [], "responses": {
        "200": {"description": "OpenAPI 3.1", "content": {"application/json": {"schema": S("object")}}}}}},
    "/biometrics/{code}": {"get": {"summary": "The capture page a session_url points to", "security": [],
        "parameters": [{"name": "code", "in": "path", "required": True, "schema": S("string")}],
        "responses": {
            "200": {"description": "the page", "content": {"text/html": {"schema": S("string")}}},
            "404": {"description": "unknown code", "content": {"text/html": {"schema": S("string")}}},
            "410": {"description": "expired", "content": {"text/html": {"schema": S("string")}}},
            **RATE}}},
    "/banks": {"get": op("List banks", {"200": ok("every bank", "BankList")}, op_id="listBanks")},
    "/customers/{customer_id}/credit-offers": {"get": op("List a customer's credit offers", {
        "200": ok("a page, oldest first", "CreditOfferList"), "400": problem("an invalid filter"),
        "404": problem("no such customer, or no such starting_after offer")},
        params=[CID, {"name": "status", "in": "query", "schema": S("string", enum=["available", "accepted", "expired"])}, LIMIT, AFTER],
        op_id="listCustomerCreditOffers")},
}
# Links from a created customer to every operation on it: schemathesis's stateful phase follows
# them, so the fuzzing reaches real customers and not only 404s.
customer_ops = ["retrieveCustomer", "updateCustomer", "createKycAttachment", "startKycReview",
                "createBiometricsSession", "retrieveBankAccount", "upsertBankAccount", "listCustomerCreditOffers"]
links = {op_id: {"operationId": op_id, "parameters": {"customer_id": "$response.body#/id"}} for op_id in customer_ops}
for status in ("200", "201"):
    paths["/customers"]["post"]["responses"][status]["links"] = links

for p in paths.values():
    for method, o in p.items():
        if method in ("post", "patch") and o.get("security") != []:
            o["responses"].setdefault("400", problem("a malformed Idempotency-Key"))
            o["responses"].setdefault("409", problem("the Idempotency-Key is in use, or was used with another body"))
        if o.get("operationId", "") is None:
            del o["operationId"]
        if not o.get("parameters", [1]):
            del o["parameters"]

doc = {
    "openapi": "3.1.0",
    "info": {"title": "Dinie Customers API (local sandbox)", "version": "2026-03-01",
             "description": "Dinie's contract 2026-03-01 as the local sandbox serves it. Timestamps are epoch seconds; "
                            "ids are a prefix and 32 hex digits; errors are RFC 9457 problem+json with Dinie's type URLs."},
    "servers": [{"url": "/api/v3"}],
    "security": [{"bearer": []}],
    "paths": paths,
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"},
                            "basic": {"type": "http", "scheme": "basic"}},
        "parameters": {
            "IdempotencyKey": {"name": "Idempotency-Key", "in": "header", "required": False,
                               "description": "the Python SDK's header; the first answer is replayed for 24 h",
                               "schema": S("string", minLength=1, maxLength=255, pattern="^[!-~]+$")},
            "XIdempotencyKey": {"name": "X-Idempotency-Key", "in": "header", "required": False,
                                "description": "the JS SDK's header, same meaning",
                                "schema": S("string", minLength=1, maxLength=255, pattern="^[!-~]+$")},
        },
        "schemas": schemas,
    },
}
out = pathlib.Path(__file__).resolve().parent.parent / "openapi.json"
out.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
print(f"wrote {out}")
