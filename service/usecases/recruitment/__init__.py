"""The recruitment family: its service-task operators and the application and report use cases.

Operators run inside the engine step of an instance, in that instance's transaction; they read and write
the domain tables (campaigns, applications, officers) so that state and domain data commit together.
Importing this package registers every operator.
"""

from service.usecases.recruitment import hiring, plan, registration
from service.usecases.recruitment.applications import register_application, submit_application
from service.usecases.recruitment.hiring import next_candidate
from service.usecases.recruitment.report import campaign_report
from workflows.ports import CHINA

del hiring, plan, registration  # imported for the operators they register

__all__ = ["CHINA", "campaign_report", "next_candidate", "register_application", "submit_application"]
