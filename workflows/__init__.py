"""Run the 一村一辅警 workflows: BPMN specs, forms and framework-free domain rules."""
