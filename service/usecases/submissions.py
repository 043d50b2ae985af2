"""Check submitted form data against its form, the same way for a task and for a start form."""

from __future__ import annotations

from typing import Any

from service.usecases.errors import ConflictError, InvalidInputError
from workflows.forms import FormBundle, FormError


def check_submission(forms: FormBundle, form: str, data: Any) -> None:
    """Refuse ``data`` unless it satisfies ``form`` of its bundle (422 with the field errors).

    A form deployed before forms had to be self-contained may refer outside its bundle or use a pattern
    that RE2 cannot run: it is never resolved or run, and the submission is refused with 409.
    """
    try:
        errors = forms.validate(form, data)
    except FormError as error:
        raise ConflictError(
            "表单 {form} 引用了流程包以外的内容或使用了不允许的正则表达式，无法校验提交；"
            "请修正表单后重新部署流程定义",
            errors={"problems": [str(error)]},
            form=form,
        ) from error
    if errors:
        # The fields left out, named by their titles, so the summary alone says what to add.
        missing = [e for e in errors if e.keyword == "required"]
        message, english = (
            "表单填写有误，请按提示修改后重新提交",
            "The form has errors; correct them as indicated and submit again",
        )
        if missing:
            message += "。缺少必填项：" + "、".join(e.title for e in missing)
            english += ". Required: " + ", ".join(e.title_en for e in missing) + "."
        raise InvalidInputError(
            message, errors={e.field: [e.message, e.message_en] for e in errors}, english=english
        )
