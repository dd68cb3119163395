"""The answers schema's patterns and lengths, by name: the one place code refers to them.

Each constant is read from a definition of `schema.json` (see `wizard.core.answers.schema`), never written
out again here, so the core's parser, the interview's validators and an editor reading the schema accept
and refuse the same values.
"""

from __future__ import annotations

from wizard.core.answers.schema import definition, pattern

DNS_LABEL = pattern("dnsLabel")
"""A namespace, environment or app name (DNS-1123 label)."""
DNS_LABEL_MAX = int(definition("dnsLabel")["maxLength"])
HOST_NAME = pattern("hostName")
"""An Ingress host, or a wildcard `*.example.com`."""
HOST_NAME_MAX = int(definition("hostName")["maxLength"])
QUANTITY = pattern("quantity")
"""A Kubernetes quantity (`100m`, `128Mi`)."""
IMAGE_TAG = pattern("imageTag")
IMAGE_REFERENCE = pattern("imageReference")
CONFIG_KEY = pattern("configKey")
SECRET_NAME = pattern("secretName")
SECRET_NAME_MAX = int(definition("secretName")["maxLength"])
SECRET_KEY = pattern("secretKey")
HTTP_PATH = pattern("httpPath")
GIT_URL = pattern("gitUrl")
GIT_BRANCH = pattern("gitBranch")
HELM_RELEASE = pattern("helmRelease")
HELM_RELEASE_MAX = int(definition("helmRelease")["maxLength"])
CHART_NAME = pattern("chartName")
CHART_VERSION = pattern("chartVersion")
CHART_REPOSITORY = pattern("chartRepository")
