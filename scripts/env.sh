# Sourced by the other scripts: one offline, self-contained Pulumi environment for this checkout.
# Expects REPO_ROOT and PULUMI_BIN (from install-pulumi) to be set.
export PATH="$PULUMI_BIN:$REPO_ROOT/.venv/bin:$PATH"
export PULUMI_HOME="${PULUMI_HOME:-$REPO_ROOT/.pulumi-home}"   # never the user's ~/.pulumi
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE-local-demo-passphrase}"
export PULUMI_PYTHON_CMD="$REPO_ROOT/.venv/bin/python"
export PULUMI_LD_PULUMI_BIN="$PULUMI_BIN"
