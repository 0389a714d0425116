#!/usr/bin/env python3
"""Checks the rendered manifests of deploy/k8s (kubectl kustomize output).

kubectl's client-side dry run needs an API server even for --dry-run=client
(it asks the server for the resource list and its OpenAPI schema), and none
is reachable here, so this checks what matters itself: a JSON schema per
kind (the fields, their types, required values) and the references between
objects (selectors and labels, service ports and container ports, the NATS
routes and the pods' names, volumes and claims, the tb commands).
Usage: k8s_check.py RENDERED.yaml   (prints "ok: N objects" or each problem)
"""
import re
import sys

import jsonschema
import yaml

QUANTITY = {"type": ["string", "integer"], "pattern": r"^[0-9.]+(m|Ki|Mi|Gi|Ti)?$"}
RESOURCES = {
    "type": "object",
    "required": ["requests", "limits"],
    "properties": {
        k: {"type": "object", "required": ["cpu", "memory"], "properties": {"cpu": QUANTITY, "memory": QUANTITY}}
        for k in ("requests", "limits")
    },
}
HTTP_PROBE = {
    "type": "object",
    "required": ["httpGet"],
    "properties": {
        "httpGet": {
            "type": "object",
            "required": ["path", "port"],
            "properties": {"path": {"type": "string", "pattern": "^/healthz"}, "port": {"type": ["string", "integer"]}},
        }
    },
}
CONTAINER = {
    "type": "object",
    "required": ["name", "image", "resources", "securityContext"],
    "properties": {
        "name": {"type": "string", "pattern": "^[a-z0-9-]+$"},
        "image": {"type": "string", "minLength": 1},
        "args": {"type": "array", "items": {"type": "string"}},
        "resources": RESOURCES,
        "securityContext": {
            "type": "object",
            "required": ["allowPrivilegeEscalation", "readOnlyRootFilesystem"],
            "properties": {"allowPrivilegeEscalation": {"const": False}, "readOnlyRootFilesystem": {"const": True}},
        },
        "ports": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "containerPort"],
                "properties": {"name": {"type": "string"}, "containerPort": {"type": "integer"}},
            },
        },
    },
}
POD_SPEC = {
    "type": "object",
    "required": ["containers", "securityContext"],
    "properties": {
        "containers": {"type": "array", "minItems": 1, "items": CONTAINER},
        "initContainers": {"type": "array", "items": CONTAINER},
        "securityContext": {
            "type": "object",
            "required": ["runAsNonRoot"],
            "properties": {"runAsNonRoot": {"const": True}},
        },
    },
}
METADATA = {
    "type": "object",
    "required": ["name"],
    "properties": {"name": {"type": "string", "pattern": "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"}},
}
JOB_SPEC = {
    "type": "object",
    "required": ["template"],
    "properties": {
        "template": {
            "type": "object",
            "required": ["spec"],
            "properties": {
                "spec": {
                    "allOf": [
                        POD_SPEC,
                        {"required": ["restartPolicy"], "properties": {"restartPolicy": {"enum": ["Never", "OnFailure"]}}},
                    ]
                }
            },
        }
    },
}


def kind_schema(api_version, kind, spec):
    return {
        "type": "object",
        "required": ["apiVersion", "kind", "metadata"] + (["spec"] if spec else []),
        "properties": {"apiVersion": {"const": api_version}, "kind": {"const": kind}, "metadata": METADATA,
                       **({"spec": spec} if spec else {})},
    }


SCHEMAS = {
    "Namespace": kind_schema("v1", "Namespace", None),
    "ConfigMap": {**kind_schema("v1", "ConfigMap", None), "required": ["apiVersion", "kind", "metadata", "data"]},
    "Service": kind_schema("v1", "Service", {
        "type": "object",
        "required": ["selector", "ports"],
        "properties": {"ports": {"type": "array", "minItems": 1, "items": {
            "type": "object", "required": ["name", "port", "targetPort"],
            "properties": {"port": {"type": "integer"}, "targetPort": {"type": ["string", "integer"]}}}}},
    }),
    "StatefulSet": kind_schema("apps/v1", "StatefulSet", {
        "type": "object",
        "required": ["serviceName", "replicas", "selector", "template", "volumeClaimTemplates"],
        "properties": {
            "replicas": {"const": 3},
            "podManagementPolicy": {"const": "Parallel"},
            "template": {"type": "object", "required": ["metadata", "spec"], "properties": {"spec": {"allOf": [
                POD_SPEC,
                {"properties": {"containers": {"items": {
                    "required": ["livenessProbe", "readinessProbe", "ports"],
                    "properties": {"livenessProbe": HTTP_PROBE, "readinessProbe": HTTP_PROBE,
                                   "startupProbe": HTTP_PROBE}}}}},
            ]}}},
            "volumeClaimTemplates": {"type": "array", "minItems": 1, "items": {
                "type": "object", "required": ["metadata", "spec"],
                "properties": {"spec": {"type": "object", "required": ["accessModes", "resources"]}}}},
        },
    }),
    "PodDisruptionBudget": kind_schema("policy/v1", "PodDisruptionBudget", {
        "type": "object", "required": ["selector", "maxUnavailable"], "properties": {"maxUnavailable": {"const": 1}},
    }),
    "PersistentVolumeClaim": kind_schema("v1", "PersistentVolumeClaim", {
        "type": "object", "required": ["accessModes", "resources"],
    }),
    "Job": kind_schema("batch/v1", "Job", JOB_SPEC),
    "CronJob": kind_schema("batch/v1", "CronJob", {
        "type": "object", "required": ["schedule", "jobTemplate"],
        "properties": {"schedule": {"type": "string", "pattern": r"^(\S+\s+){4}\S+$"},
                       "jobTemplate": {"type": "object", "required": ["spec"], "properties": {"spec": JOB_SPEC}}},
    }),
}
EXPECTED_KINDS = {"Namespace": 1, "ConfigMap": 1, "Service": 2, "StatefulSet": 1, "PodDisruptionBudget": 1,
                  "PersistentVolumeClaim": 2, "Job": 1, "CronJob": 1}


def matches(selector, labels):
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def check(docs):
    problems = []
    kinds = {}
    for d in docs:
        kinds[d.get("kind")] = kinds.get(d.get("kind"), 0) + 1
        schema = SCHEMAS.get(d.get("kind"))
        where = f"{d.get('kind')}/{d.get('metadata', {}).get('name')}"
        if schema is None:
            problems.append(f"{where}: unexpected kind")
            continue
        for e in sorted(jsonschema.Draft7Validator(schema).iter_errors(d), key=lambda e: list(e.absolute_path)):
            problems.append(f"{where}: {'.'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}")
        if d.get("kind") != "Namespace" and d.get("metadata", {}).get("namespace") != "termbrain":
            problems.append(f"{where}: not in namespace termbrain")
    if kinds != EXPECTED_KINDS:
        problems.append(f"kinds: {dict(sorted(kinds.items()))}, expected {dict(sorted(EXPECTED_KINDS.items()))}")
    if problems:
        return problems

    by = {(d["kind"], d["metadata"]["name"]): d for d in docs}
    sts = by[("StatefulSet", "nats")]
    pod_labels = sts["spec"]["template"]["metadata"]["labels"]
    if not matches(sts["spec"]["selector"]["matchLabels"], pod_labels):
        problems.append("StatefulSet/nats: selector does not match its pod labels")
    nats = sts["spec"]["template"]["spec"]["containers"][0]
    ports = {p["name"]: p["containerPort"] for p in nats["ports"]}
    if not re.fullmatch(r"nats:2\.9(\.\d+)?(-\w+)?", nats["image"]):
        problems.append(f"StatefulSet/nats: image {nats['image']}, expected nats:2.9")
    for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
        if nats.get(probe, {}).get("httpGet", {}).get("port") not in ("monitor", ports.get("monitor")):
            problems.append(f"StatefulSet/nats: {probe} is not on the monitoring port")
    headless = by.get(("Service", sts["spec"]["serviceName"]))
    if headless is None or headless["spec"].get("clusterIP") != "None":
        problems.append(f"StatefulSet/nats: serviceName {sts['spec']['serviceName']} is not a headless service")
    for (kind, name), d in by.items():
        if kind == "Service":
            if not matches(d["spec"]["selector"], pod_labels):
                problems.append(f"Service/{name}: selector matches no NATS pod")
            for p in d["spec"]["ports"]:
                if p["targetPort"] not in ports and p["targetPort"] not in ports.values():
                    problems.append(f"Service/{name}: targetPort {p['targetPort']} is no container port")
    pdb = by[("PodDisruptionBudget", "nats")]
    if not matches(pdb["spec"]["selector"]["matchLabels"], pod_labels):
        problems.append("PodDisruptionBudget/nats: selector matches no NATS pod")

    # nats.conf: one route per pod, by its name under the headless service.
    conf = by[("ConfigMap", "nats-config")]["data"]["nats.conf"]
    mounts = {m["name"]: m["mountPath"] for m in nats["volumeMounts"]}
    if f"{mounts.get('config')}/nats.conf" not in " ".join(nats.get("args", [])):
        problems.append("StatefulSet/nats: args do not name nats.conf in the config mount")
    routes = re.findall(r"nats://([\w.-]+):(\d+)", conf)
    want = [(f"nats-{i}.{sts['spec']['serviceName']}", str(ports["cluster"])) for i in range(sts["spec"]["replicas"])]
    if routes != want:
        problems.append(f"nats.conf: routes {routes}, expected {want}")
    for key, port in (("port", "client"), ("http_port", "monitor")):
        if not re.search(rf"(?m)^\s*{key}: {ports[port]}$", conf):
            problems.append(f"nats.conf: {key} is not the {port} container port {ports[port]}")
    store = re.search(r"store_dir: (\S+)", conf)
    claim = sts["spec"]["volumeClaimTemplates"][0]["metadata"]["name"]
    if not store or not mounts.get(claim) or not store.group(1).startswith(mounts[claim]):
        problems.append("nats.conf: JetStream store_dir is not on the pod's volume claim")

    # The Job and the CronJob: tb log verify, then tb export, on the data claim.
    claims = {name for kind, name in by if kind == "PersistentVolumeClaim"}
    for kind in ("Job", "CronJob"):
        d = by[(kind, "termbrain-verify-export")] if (kind, "termbrain-verify-export") in by else None
        if d is None:
            problems.append(f"{kind}/termbrain-verify-export is missing")
            continue
        spec = d["spec"]["jobTemplate"]["spec"] if kind == "CronJob" else d["spec"]
        pod = spec["template"]["spec"]
        args = [c.get("args", []) for c in pod.get("initContainers", []) + pod["containers"]]
        if [a[:2] for a in args] != [["log", "verify"], ["export", "--format"]]:
            problems.append(f"{kind}: runs {args}, expected tb log verify then tb export")
        volumes = {v["name"]: v for v in pod["volumes"]}
        for v in volumes.values():
            c = v.get("persistentVolumeClaim", {}).get("claimName")
            if c is not None and c not in claims:
                problems.append(f"{kind}: claim {c} is not defined")
        for c in pod.get("initContainers", []) + pod["containers"]:
            data = [m for m in c["volumeMounts"] if m["mountPath"] == "/data"]
            if not data or volumes.get(data[0]["name"], {}).get("persistentVolumeClaim", {}).get("claimName") \
                    != "termbrain-data" or not data[0].get("readOnly"):
                problems.append(f"{kind}/{c['name']}: /data is not termbrain-data mounted read-only")
            # The data dir is read-only, so tb's file log must go elsewhere.
            log = {e["name"]: e.get("value") for e in c.get("env", [])}.get("TERMBRAIN_LOG_FILE", "")
            if not any(log.startswith(m["mountPath"] + "/") for m in c["volumeMounts"] if not m.get("readOnly")):
                problems.append(f"{kind}/{c['name']}: TERMBRAIN_LOG_FILE ({log}) is not on a writable volume")
            if c["image"].split(":")[0].rsplit("/", 1)[-1] != "termbrain":
                problems.append(f"{kind}/{c['name']}: image {c['image']} is not termbrain's")
    return problems


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        docs = [d for d in yaml.safe_load_all(f) if d is not None]
    problems = check(docs)
    for p in problems:
        print(p)
    if problems:
        return 1
    print(f"ok: {len(docs)} objects")
    return 0


if __name__ == "__main__":
    sys.exit(main())
