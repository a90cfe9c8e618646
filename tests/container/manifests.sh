#!/usr/bin/env bash
# The deployment files are valid for what reads them, offline:
#  - launch/k8s/pvc.yaml against the Kubernetes schemas (kubernetes-validate --strict);
#  - launch/k8s/mpijob.yaml against the MPIJob CRD's OpenAPI schema (v2beta1, vendored from
#    kubeflow/mpi-operator in launch/k8s/schema/), with unknown fields refused as the API server's
#    strict field validation does;
#  - launch/container/compose.yaml against the Compose specification's JSON schema (vendored).
# Each validator is shown to refuse a broken copy, so a pass means something.
source "$(dirname "$0")/../lib.sh"
"$PY" -c "import kubernetes_validate, jsonschema, yaml" 2>/dev/null ||
  fail "the venv lacks kubernetes-validate or jsonschema (launch/setup.sh installs them)"
validate_k8s="$(dirname "$PY")/kubernetes-validate"

"$validate_k8s" --strict --quiet "$SRC/launch/k8s/pvc.yaml" || fail "pvc.yaml is not a valid PersistentVolumeClaim"
sed 's/accessModes:/accesModes:/' "$SRC/launch/k8s/pvc.yaml" >"$WORK/bad_pvc.yaml"
! "$validate_k8s" --strict --quiet "$WORK/bad_pvc.yaml" >/dev/null 2>&1 || fail "kubernetes-validate took a misspelled key"

cat >"$WORK/validate.py" <<'PY'
import json, sys, yaml, jsonschema

def strict(schema):
    """additionalProperties: false wherever the CRD lists properties and keeps no unknown fields."""
    if isinstance(schema, dict):
        if "properties" in schema and "additionalProperties" not in schema \
                and not schema.get("x-kubernetes-preserve-unknown-fields"):
            schema["additionalProperties"] = False
        for value in schema.values():
            strict(value)
    elif isinstance(schema, list):
        for value in schema:
            strict(value)
    return schema

kind, schema_path, document_path = sys.argv[1:4]
if kind == "mpijob":
    crd = yaml.safe_load(open(schema_path))
    version = next(v for v in crd["spec"]["versions"] if v["name"] == "v2beta1")
    schema = strict(version["schema"]["openAPIV3Schema"])
    documents = [d for d in yaml.safe_load_all(open(document_path)) if d]
    assert len(documents) == 1 and documents[0]["kind"] == "MPIJob", "one MPIJob expected"
    document = documents[0]
    assert document["apiVersion"] == "kubeflow.org/v2beta1", document["apiVersion"]
    jsonschema.Draft7Validator(schema).validate(document)
else:
    schema = json.load(open(schema_path))
    document = yaml.safe_load(open(document_path))
    jsonschema.Draft7Validator(schema).validate(document)  # the schema says draft-07
print(f"valid: {document_path}")
PY
crd="$SRC/launch/k8s/schema/kubeflow.org_mpijobs.yaml"
compose_schema="$SRC/launch/container/schema/compose-spec.json"
"$PY" "$WORK/validate.py" mpijob "$crd" "$SRC/launch/k8s/mpijob.yaml" || fail "mpijob.yaml does not match the MPIJob CRD"
"$PY" "$WORK/validate.py" compose "$compose_schema" "$SRC/launch/container/compose.yaml" || fail "compose.yaml does not match the Compose schema"

# Broken copies are refused: a misspelled field, a wrong type.
sed 's/sshAuthMountPath:/sshAuthMountPth:/' "$SRC/launch/k8s/mpijob.yaml" >"$WORK/bad1.yaml"
sed 's/slotsPerWorker: 1/slotsPerWorker: one/' "$SRC/launch/k8s/mpijob.yaml" >"$WORK/bad2.yaml"
sed 's/readOnlyRootFilesystem: true/readOnlyRootFilesystm: true/' "$SRC/launch/k8s/mpijob.yaml" >"$WORK/bad3.yaml"
for bad in bad1 bad2 bad3; do
  ! "$PY" "$WORK/validate.py" mpijob "$crd" "$WORK/$bad.yaml" >/dev/null 2>&1 || fail "the MPIJob check took $bad"
done
sed 's/read_only: true/read_only: yes please/; s/hostname: worker/hostnam: worker/' "$SRC/launch/container/compose.yaml" >"$WORK/bad_compose.yaml"
! "$PY" "$WORK/validate.py" compose "$compose_schema" "$WORK/bad_compose.yaml" >/dev/null 2>&1 || fail "the Compose check took a broken file"
echo "manifests: ok"
