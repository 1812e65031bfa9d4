{{/* Chart name, overridable. */}}
{{- define "podium.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full resource name: release name + chart name, unless one contains the other. */}}
{{- define "podium.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Name of RBAC objects (ClusterRoles, Roles and bindings). They carry the
release namespace so that two releases of the same name in different
namespaces do not fight over one ClusterRole.
*/}}
{{- define "podium.rbacName" -}}
{{- printf "%s-%s" (include "podium.fullname" .) .Release.Namespace }}
{{- end }}

{{- define "podium.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "podium.selectorLabels" -}}
app.kubernetes.io/name: {{ include "podium.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "podium.labels" -}}
helm.sh/chart: {{ include "podium.chart" . }}
{{ include "podium.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: podium
{{- end }}

{{- define "podium.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "podium.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "podium.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}
{{- end }}

{{/*
The read-only rules Podium needs, one per API group, for a scope: "cluster"
(the cluster-scoped resources, granted by a ClusterRole in both modes),
"namespaced" (everything else; a Role per namespace in namespace mode) or
"all" (cluster mode's one ClusterRole). Keep this table in step with the
informers Podium starts (informers.Resources and informers.ClusterResources):
the chart's tests derive the expected rules from them, and the e2e test removes
each resource in turn and expects Podium to report exactly that one. ConfigMaps
and Secrets are never here: Podium draws them from the names pods reference,
and a ServiceAccount lists its Secrets by name only.
*/}}
{{- define "podium.readRules" -}}
{{- $scope := . -}}
{{- $groups := list
  (dict "group" "" "cluster" (list "nodes" "persistentvolumes" "namespaces") "namespaced" (list "pods" "services" "persistentvolumeclaims" "events" "serviceaccounts" "resourcequotas" "limitranges"))
  (dict "group" "apps" "namespaced" (list "deployments" "replicasets" "statefulsets" "daemonsets"))
  (dict "group" "batch" "namespaced" (list "jobs" "cronjobs"))
  (dict "group" "autoscaling" "namespaced" (list "horizontalpodautoscalers"))
  (dict "group" "discovery.k8s.io" "namespaced" (list "endpointslices"))
  (dict "group" "networking.k8s.io" "namespaced" (list "ingresses" "networkpolicies"))
  (dict "group" "storage.k8s.io" "cluster" (list "storageclasses"))
  (dict "group" "rbac.authorization.k8s.io" "cluster" (list "clusterroles" "clusterrolebindings") "namespaced" (list "roles" "rolebindings"))
  (dict "group" "policy" "namespaced" (list "poddisruptionbudgets"))
  (dict "group" "gateway.networking.k8s.io" "cluster" (list "gatewayclasses") "namespaced" (list "gateways" "httproutes" "grpcroutes"))
  (dict "group" "apiextensions.k8s.io" "cluster" (list "customresourcedefinitions"))
-}}
{{- range $groups }}
{{- $res := list }}
{{- if ne $scope "namespaced" }}{{ $res = concat $res (default (list) .cluster) }}{{ end }}
{{- if ne $scope "cluster" }}{{ $res = concat $res (default (list) .namespaced) }}{{ end }}
{{- if $res }}
- apiGroups: [{{ .group | quote }}]
  resources: [{{ range $i, $r := $res }}{{ if $i }}, {{ end }}{{ $r | quote }}{{ end }}]
  verbs: ["get", "list", "watch"]
{{- end }}
{{- end }}
{{- end }}

{{/*
"true" when the NetworkPolicy is rendered. networkPolicy.enabled null (the
default) means on unless the Ingress is enabled: without an Ingress nothing
needs to reach Podium over the pod network (port-forward and the kubelet's
probes are not subject to NetworkPolicy); with one, the controller's
namespace must be named first, so the user turns the policy on explicitly.
*/}}
{{- define "podium.networkPolicyEnabled" -}}
{{- $e := .Values.networkPolicy.enabled -}}
{{- if kindIs "invalid" $e -}}
{{- if not .Values.ingress.enabled }}true{{ end -}}
{{- else if $e -}}
true
{{- end -}}
{{- end }}

{{/*
GOMEMLIMIT for a memory quantity: 90% of it, less 64 MiB for the binary's
own pages (its code and read-only data, resident but outside what the Go
runtime counts: 65-69 MiB measured, issue #15), so the Go runtime collects
harder before the container reaches the limit. Whole MiB (rounded down) from
64 MiB up, bytes below; a limit that leaves nothing fails the install. Accepts what a memory limit is
usually written as: plain bytes (a number or a string), or a number with
k, M, G, T, Ki, Mi, Gi or Ti; anything else fails the install with the value
named, rather than setting a limit the runtime would misread.
*/}}
{{- define "podium.goMemLimit" -}}
{{- $q := . -}}
{{- $bytes := 0.0 -}}
{{- if or (kindIs "float64" $q) (kindIs "int" $q) (kindIs "int64" $q) -}}
{{- $bytes = float64 $q -}}
{{- else -}}
{{- $s := toString $q -}}
{{- if not (regexMatch "^[0-9]+(\\.[0-9]+)?(k|M|G|T|Ki|Mi|Gi|Ti)?$" $s) -}}
{{- fail (printf "resources.limits.memory %q: cannot derive GOMEMLIMIT from it; write it as bytes or with k, M, G, T, Ki, Mi, Gi or Ti (for example 256Mi)" $s) -}}
{{- end -}}
{{- $num := regexFind "^[0-9]+(\\.[0-9]+)?" $s -}}
{{- $units := dict "" 1 "k" 1000 "M" 1000000 "G" 1000000000 "T" 1000000000000 "Ki" 1024 "Mi" 1048576 "Gi" 1073741824 "Ti" 1099511627776 -}}
{{- $bytes = mulf (float64 $num) (float64 (get $units (trimPrefix $num $s))) -}}
{{- end -}}
{{- $lim := floor (subf (mulf $bytes 0.9) 67108864.0) -}}
{{- if lt $lim 1.0 -}}
{{- fail (printf "resources.limits.memory %v: too small to run Podium (its binary alone keeps about 64 MiB resident)" $q) -}}
{{- else if ge $lim 67108864.0 -}}
{{- printf "%.0fMiB" (floor (divf $lim 1048576)) -}}
{{- else -}}
{{- printf "%.0f" $lim -}}
{{- end -}}
{{- end }}

{{/*
The rules of the extra resources the user lists (extraResources): the
custom resources Podium reads as workload owners, get/list/watch on exactly
those, one rule per group.
*/}}
{{- define "podium.extraRules" -}}
{{- range . }}
- apiGroups: [{{ .group | quote }}]
  resources: [{{ range $i, $r := .resources }}{{ if $i }}, {{ end }}{{ $r | quote }}{{ end }}]
  verbs: ["get", "list", "watch"]
{{- end }}
{{- end }}
