"""Turn a definition's files into SpiffWorkflow specs."""

from __future__ import annotations

from SpiffWorkflow.bpmn.parser.util import full_tag
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.specs.defaults import BusinessRuleTask

from ventanilla.engine.decisions import DecisionTaskParser, StrictDMNEngine
from ventanilla.engine.definitions import Definition


class DefinitionError(Exception):
    pass


class Parser(SpiffBpmnParser):
    """SpiffWorkflow's parser with decision tables run strictly (``engine.decisions``) and
    Camunda Modeler's ``decisionRef`` understood."""

    OVERRIDE_PARSER_CLASSES = {
        **SpiffBpmnParser.OVERRIDE_PARSER_CLASSES,
        full_tag("businessRuleTask"): (DecisionTaskParser, BusinessRuleTask),
    }

    def get_engine(self, decision_ref, node):
        table = super().get_engine(decision_ref, node).decision_table
        # Messages name the table as the analyst named the decision.
        table.name = table.name or self.dmn_parsers[decision_ref].decision.name
        return StrictDMNEngine(table)


def parse(definition: Definition):
    """(process id, spec, subprocess specs) of the definition's one executable process."""
    parser = Parser()
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
