"""SpiffWorkflow's script engine, pointed at the sandbox and the service registry."""

from __future__ import annotations

import json

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from ventanilla.engine import sandbox, services


class SandboxEnvironment(BasePythonScriptEngineEnvironment):
    def evaluate(self, expression, context, external_context=None):
        return sandbox.evaluate(expression, {**(external_context or {}), **context})

    def execute(self, script, context, external_context=None):
        result = sandbox.execute(script, {**(external_context or {}), **context})
        for key in list(context):
            if key not in result:
                del context[key]
        context.update(result)
        return True

    def call_service(self, context, operation_name, operation_params, **kwargs):
        params = {name: spec["value"] for name, spec in operation_params.items()}
        return json.dumps(services.call(operation_name, **params))


class SandboxScriptEngine(PythonScriptEngine):
    def __init__(self):
        super().__init__(environment=SandboxEnvironment())

    def call_service(self, task, **kwargs):
        # Our own path: SpiffWorkflow 3.2's hides every service error behind a NameError.
        try:
            return self.environment.call_service(task.data, **kwargs)
        except services.ServiceFailed as error:
            raise WorkflowTaskException(str(error), task=task, exception=error) from error


SCRIPT_ENGINE = SandboxScriptEngine()
