"""Turn a definition's files into SpiffWorkflow specs."""

from __future__ import annotations

from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from ventanilla.engine.definitions import Definition


class DefinitionError(Exception):
    pass


def parse(definition: Definition):
    """(process id, spec, subprocess specs) of the definition's one executable process."""
    parser = SpiffBpmnParser()
    try:
        parser.add_bpmn_str(definition.bpmn.encode(), filename="process.bpmn")
        for name, dmn in definition.decisions.items():
            parser.add_dmn_str(dmn.encode(), filename=name)
        process_ids = parser.get_process_ids()
        if len(process_ids) != 1:
            raise DefinitionError(
                f"process.bpmn must hold one executable process, not {len(process_ids)}"
            )
        [process_id] = process_ids
        spec = parser.get_spec(process_id)
        return process_id, spec, parser.get_subprocess_specs(process_id)
    except DefinitionError:
        raise
    except Exception as error:  # the parser raises many kinds; all mean "fix the file"
        raise DefinitionError(str(error).strip() or error.__class__.__name__) from error
