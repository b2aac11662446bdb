{{- define "child.label" -}}child-own{{- end -}}
