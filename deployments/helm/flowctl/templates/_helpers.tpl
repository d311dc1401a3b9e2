{{/* The release's base name: "<release>-flowctl", or the release alone when it already says flowctl. */}}
{{- define "flowctl.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "flowctl.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: flowctl
{{- end -}}

{{/* Selector labels of one component: call with (dict "root" $ "component" "scheduler"). */}}
{{- define "flowctl.selectorLabels" -}}
app.kubernetes.io/name: {{ .root.Chart.Name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "flowctl.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) -}}
{{- end -}}

{{/* The Secret the apps read DATABASE_URL, REDIS_URL, FLOWCTL_ADMIN_TOKEN and FLOWCTL_SECRET_KEY from. */}}
{{- define "flowctl.secretName" -}}
{{- .Values.secret.existingSecret | default (include "flowctl.fullname" .) -}}
{{- end -}}

{{/* The secret-sealing keys, for schedulers (they seal) and workers (they open what a task reads). */}}
{{- define "flowctl.secretKeyEnv" -}}
- name: FLOWCTL_SECRET_KEY
  valueFrom:
    secretKeyRef:
      name: {{ include "flowctl.secretName" . }}
      key: FLOWCTL_SECRET_KEY
- name: FLOWCTL_SECRET_PREVIOUS_KEYS
  valueFrom:
    secretKeyRef:
      name: {{ include "flowctl.secretName" . }}
      key: FLOWCTL_SECRET_PREVIOUS_KEYS
      # Only while a key rotation is under way.
      optional: true
{{- end -}}

{{/* Pod and container security settings shared by schedulers and workers: the image's uid 1000, nothing else. */}}
{{- define "flowctl.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 1000
runAsGroup: 1000
fsGroup: 1000
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "flowctl.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities:
  drop: ['ALL']
{{- end -}}

{{/* Restarts pods when the settings they read at start change (the apps read their environment once). */}}
{{- define "flowctl.configChecksums" -}}
checksum/config: {{ include (print .Template.BasePath "/configmap.yaml") . | sha256sum }}
checksum/secret: {{ include (print .Template.BasePath "/secret.yaml") . | sha256sum }}
{{- end -}}
