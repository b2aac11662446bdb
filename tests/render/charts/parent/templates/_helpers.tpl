{{- define "parent.name" -}}
{{ .Chart.Name }}-{{ .Release.Name | trunc 20 }}
{{- end -}}
{{- define "child.label" -}}overridden-by-parent{{- end -}}
