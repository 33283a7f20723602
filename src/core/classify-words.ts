/**
 * The classifier's signal families: where each one's weight goes, how much it adds, and its
 * vocabulary (English first, then Chinese, Japanese, Korean, Russian and five Latin-script
 * languages). Data only; classify.ts does the scanning.
 */
import type { Category } from './classify.js';

export type Family =
  | 'code-fence' | 'code-syntax' | 'code-words' | 'math-expression' | 'math-words' | 'word-problem' | 'translate-into'
  | 'translate-words' | 'summarize' | 'extract-words' | 'extract-as-json' | 'structured-output' | 'writing-words'
  | 'write-verb' | 'arithmetic' | 'latex-math' | 'reasoning-words' | 'puzzle-phrase' | 'puzzle-question' | 'kinship' | 'step-by-step' | 'roleplay' | 'greeting'
  // Evidence for word-problem only; never reported on their own.
  | 'question' | 'number-words' | 'quantities';

/** category: where the weight goes; weight: per occurrence or distinct word; cap: most it adds; words: `|`-separated. */
export type Signal = { category: Category | null; weight: number; cap: number; words?: string };

export const SIGNALS: Record<Family, Signal> = {
  'code-fence': { category: 'code', weight: 2, cap: 2 },
  'code-syntax': { category: 'code', weight: 0.75, cap: 4 },
  'code-words': {
    category: 'code', weight: 1.5, cap: 6,
    words: 'code|coding|function|functions|method|class|bug|bugs|debug|compile|compiler|python|javascript|typescript|java|rust|golang|kotlin|swift|ruby|php|bash|shell script|sql|query|regex|regexp|api|implement|program|programming|algorithm|refactor|exception|stack trace|variable|array|arrays|recursion|recursive|html|css|website|webpage|script|snippet|repository|docker|kubernetes|endpoint|unit test|unit tests|pytest|npm|git|dataframe|pandas|numpy|react|django|linked list|binary tree|time complexity|space complexity|c++|c#|node.js|big o|write a function|write a program|data structure|def|elif|printf|println|console.log|#include|代码|函数|编程|程序|算法|脚本|报错|调试|数据库|前端|后端|接口|コード|関数|プログラム|スクリプト|実装|코드|함수|프로그램|код|кода|коде|функцию|функция|функции|программу|программа|программы|скрипт|алгоритм|ошибка|código|función|funciones|programa|fonction|programme|funktion|programm|skript|funzione|codice',
  },
  'math-expression': { category: 'math', weight: 1, cap: 4 },
  arithmetic: { category: 'math', weight: 2, cap: 2 },
  'latex-math': { category: 'math', weight: 1.5, cap: 4.5 },
  'math-words': {
    category: 'math', weight: 1, cap: 4,
    words: 'equation|equations|solve|integral|derivative|probability|percent|percentage|average|remainder|divisible|prime number|inequality|triangle|area|perimeter|volume|fraction|ratio|calculate|compute|multiply|divided|subtract|integer|integers|polynomial|matrix|theorem|factorial|logarithm|algebra|geometry|arithmetic|sum of|square root|vertices|solve for|how much is|what is the value|计算|方程|数学|求解|等于|乘以|除以|加上|减去|概率|几何|三角形|面积|平方根|積分|方程式|計算|確率|数学|계산|방정식|수학|확률|уравнение|уравнения|вычисли|вычислить|посчитай|сколько будет|математика|вероятность|интеграл|ecuación|calcula|calcular|cuánto es|équation|calcule|calculer|combien font|gleichung|berechne|berechnen|wie viel ist|equação|calcule',
  },
  'word-problem': { category: 'math', weight: 3, cap: 3 },
  'translate-into': { category: 'translation', weight: 4, cap: 4 },
  'translate-words': {
    category: 'translation', weight: 2.5, cap: 3,
    words: 'translate|translated|translating|translation|translator|traduire|traduis|traduisez|traduce|traducir|traduzir|übersetze|übersetzen|übersetzung|翻译|翻訳|перевести|переведи|переведите',
  },
  summarize: {
    category: 'summarization', weight: 3, cap: 4,
    words: 'summarize|summarise|summary|summarization|tldr|tl;dr|recap|condense|synopsis|key points|main points|in a nutshell|in one sentence|in a few sentences|résumer|résumez|zusammenfassung|zusammenfassen|fasse|resumen|resume|总结|概括|要約|кратко',
  },
  'extract-words': {
    category: 'extraction', weight: 3, cap: 4,
    words: 'extract|extraction|identify|named entities|entities|parse|fields|key-value|the following information|the following data|the following records|classify|categorize|categorise|categories|sentiment',
  },
  'extract-as-json': { category: 'extraction', weight: 3, cap: 3 },
  'structured-output': { category: 'extraction', weight: 1, cap: 2, words: 'json|csv|yaml|in the format|as a table' },
  'writing-words': {
    category: 'writing', weight: 1.5, cap: 4.5,
    words: 'essay|story|stories|short story|poem|poetry|blog|blog post|email|letter|article|paragraph|headline|slogan|limerick|haiku|sonnet|rewrite|rephrase|paraphrase|proofread|grammar|grammatical|narrative|persuasive|speech|lyrics|tweet|caption|tagline|novel|fiction|fictional|plot|outline|memo|cover letter|biography|vivid|descriptive|creative|imagery|engaging|catchy|诗|诗歌|故事|文章|作文|小说|散文|写一篇|写一首|写一个故事|邮件|歌词|物語|小説|作文|詩|手紙|이야기|소설|편지|стихотворение|стих|стихи|рассказ|сказку|сказка|эссе|сочинение|письмо|poema|cuento|historia|ensayo|carta|poème|histoire|conte|lettre|gedicht|geschichte|aufsatz|brief|poesia|racconto|storia',
  },
  'write-verb': { category: 'writing', weight: 1, cap: 1, words: 'write|writing|compose|draft|craft|写|書いて|써|напиши|напишите|escribe|écris|écrivez|schreibe|scrivi|escreva' },
  'reasoning-words': {
    category: 'reasoning', weight: 1.5, cap: 4,
    words: 'riddle|puzzle|logic|logical|deduce|deduction|infer|inference|paradox|premise|premises|syllogism|implies|overtaken|overtook',
  },
  'puzzle-phrase': {
    category: 'reasoning', weight: 3.5, cap: 3.5,
    words: 'true, false, or uncertain|true or false|relationship between|which word does not belong|what could be the reasons|which direction|what could explain',
  },
  'puzzle-question': { category: 'reasoning', weight: 1, cap: 1 },
  kinship: { category: 'reasoning', weight: 0.75, cap: 1.5, words: 'brother|brothers|sister|sisters|father|mother|grandfather|grandmother|son|daughter|uncle|aunt' },
  'step-by-step': { category: 'reasoning', weight: 2, cap: 2, words: 'step by step|step-by-step|explain your reasoning|think carefully|reason through|justify your answer|with an explanation' },
  roleplay: { category: 'writing', weight: 2.5, cap: 2.5, words: 'act as|pretend|role of|roleplay|role-play|you are a|imagine yourself|picture yourself|embody|persona|in character|stay in character' },
  greeting: { category: 'chat', weight: 2, cap: 2, words: 'hi|hello|hey|thanks|thank you|good morning|how are you' },
  question: {
    category: null, weight: 0, cap: 0,
    words: "how many|how much|what is the total|what's the total|what was the total|what percentage|what fraction|find the value|what is the probability|what's the probability|how long|how far|how old|how fast|多少|几个|几只|几天|сколько|combien|cuántos|cuántas|cuánto|wie viele|wie viel|quanti|quanto|quantos",
  },
  'number-words': { category: null, weight: 0, cap: 0, words: 'one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|twenty|thirty|forty|fifty|hundred|thousand|half|twice|double|triple|quarter|dozen' },
  quantities: {
    category: null, weight: 0, cap: 0,
    words: 'dollars|cents|per|each|total|cost|costs|paid|pays|price|earn|earns|spent|spends|sells|sold|bought|buys|profit|miles|hours|minutes|days|weeks|months|year|years|annual|kg|pounds|liters|percent|times|weighs|feet|inches|gallons|more than|less than|fewer',
  },
};
