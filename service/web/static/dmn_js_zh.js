// dmn-js's own words in Chinese (issue 14, point 1): its translate service replaced on the draft's
// decision-table page when the interface is Chinese; a word missing here stays in English.
(function () {
  var words = {
    'When': '当', 'And': '且', 'Then': '则', 'Annotation': '注释', 'Annotations': '注释',
    'Hit policy': '命中策略', 'Hit policy:': '命中策略：', 'View DRD': '查看决策关系图',
    'Add rule': '添加规则', 'Add rule above': '在上方添加规则', 'Add rule below': '在下方添加规则',
    'Remove rule': '删除规则', 'Copy rule': '复制规则', 'Cut rule': '剪切规则', 'Move rule': '移动规则',
    'Paste rule above': '粘贴到上方', 'Paste rule below': '粘贴到下方',
    'Add input': '添加输入', 'Add output': '添加输出',
    'Add input column left': '在左侧添加输入列', 'Add input column right': '在右侧添加输入列',
    'Add output column left': '在左侧添加输出列', 'Add output column right': '在右侧添加输出列',
    'Remove input column': '删除输入列', 'Remove output column': '删除输出列',
    'Copy input column': '复制输入列', 'Copy output column': '复制输出列',
    'Cut input column': '剪切输入列', 'Cut output column': '剪切输出列',
    'Paste input column left': '粘贴到左侧', 'Paste input column right': '粘贴到右侧',
    'Paste output column left': '粘贴到左侧', 'Paste output column right': '粘贴到右侧',
    'Add cell description': '添加单元格说明', 'Remove cell description': '删除单元格说明',
    'Input': '输入', 'Output': '输出', 'Input label': '输入标签', 'Input label: ': '输入标签：',
    'Input expression': '输入表达式', 'Input expression: ': '输入表达式：', 'Input type': '输入类型',
    'Input values': '输入取值', 'Output label': '输出标签', 'Output label: ': '输出标签：',
    'Output name': '输出名称', 'Output name: ': '输出名称：', 'Output type': '输出类型',
    'Output values': '输出取值', 'Expression': '表达式', 'Expression language': '表达式语言',
    'Expression language:': '表达式语言：', 'Enter expression': '输入表达式',
    'Type': '类型', 'Value': '值', 'Values': '取值', 'Predefined values': '预设取值',
    'Add predefined values': '添加预设取值', 'Clear predefined values': '清除预设取值',
    'Add values': '添加取值', 'No values': '没有取值', 'Custom values': '自定义取值',
    'Change type': '更改类型', 'Test type': '判断方式', 'Comparison': '比较', 'Range': '区间',
    'Comparison operator': '比较运算符', 'Equals': '等于', 'Less': '小于', 'Less or equals': '小于或等于',
    'Greater': '大于', 'Greater or equals': '大于或等于', 'Between': '介于', 'Exactly': '恰好',
    'Before': '早于', 'After': '晚于', 'Include': '包含', 'Exclude': '排除',
    'Match one': '匹配其一', 'Match none': '都不匹配', 'Start value': '起始值', 'End value': '结束值',
    'Range start operator': '区间起点运算符', 'Range end operator': '区间终点运算符',
    'Range start value': '区间起点', 'Range end value': '区间终点',
    'Yes': '是', 'No': '否', 'Boolean value': '布尔值', 'String value': '文本值',
    'Strings must be in double quotes': '文本必须写在双引号中', 'Set value': '设定值',
    'Date': '日期', 'Time': '时间', 'Date and time': '日期和时间', 'Date value': '日期值',
    'Time value': '时间值', 'Date and time value': '日期时间值', 'Duration value': '时长值',
    'Use today': '今天', 'Use now': '现在', 'Edit': '编辑', 'Delete': '删除', 'Resize': '调整大小',
    'Edit string': '编辑文本', 'Edit number': '编辑数字', 'Edit boolean': '编辑布尔值',
    'Edit date': '编辑日期', 'Edit time': '编辑时间', 'Edit date and time': '编辑日期和时间',
    'Edit input': '编辑输入', 'Edit output': '编辑输出',
    'Decision name': '决策名称', 'Decision name: ': '决策名称：', 'Element name': '元素名称',
    'Definition ID': '定义 ID', 'Definition name': '定义名称', 'Literal expression': '文字表达式',
    'Literal expression editor': '文字表达式编辑器', 'Variable name': '变量名', 'Variable name:': '变量名：',
    'Variable type': '变量类型', 'Variable type:': '变量类型：', 'Kind': '类型',
    'Search in diagram': '在图中搜索', 'Activate hand tool': '抓手工具', 'Activate lasso tool': '套索工具',
    'Create decision': '新建决策', 'Create input data': '新建输入数据',
    'Create knowledge model': '新建知识模型', 'Create knowledge source': '新建知识来源',
    'Append decision': '追加决策', 'Append input data': '追加输入数据',
    'Append business knowledge model': '追加业务知识模型', 'Append knowledge source': '追加知识来源',
    'Add text annotation': '添加文字注释', 'Connect to other element': '连接到其他元素'
  };
  window.auxpoliceDmnZh = function (template, replacements) {
    var text = words[template] || template;
    replacements = replacements || {};
    return text.replace(/{([^}]+)}/g, function (_, key) {
      return replacements[key] !== undefined ? replacements[key] : '{' + key + '}';
    });
  };
}());
