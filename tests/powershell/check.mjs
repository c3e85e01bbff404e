// Static checks of the SsisService PowerShell module, for machines without pwsh (run by
// scripts/check-powershell.sh with node --liftoff-only). Parses every .ps1/.psm1/.psd1 with
// the tree-sitter PowerShell grammar and checks the module's structure. Prints one line per
// check and "N passed, M failed"; exits 1 when a check failed.
//
//   node --liftoff-only tests/powershell/check.mjs <repository root> <node_modules dir>
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const root = path.resolve(process.argv[2] ?? '.');
const modules = path.resolve(process.argv[3] ?? path.join(root, 'tests/powershell/.node/node_modules'));
const { Parser, Language } = await import(pathToFileURL(path.join(modules, 'web-tree-sitter/tree-sitter.js')).href);

await Parser.init();
const language = await Language.load(path.join(modules, 'tree-sitter-powershell/tree-sitter-powershell.wasm'));
const parser = new Parser();
parser.setLanguage(language);

const moduleDir = path.join(root, 'powershell/SsisService');
const testDir = path.join(root, 'tests/powershell');
let passed = 0;
let failed = 0;

/** Records one check: ok, or failed with the problems listed. */
function check(name, problems) {
  if (problems.length === 0) {
    passed++;
    console.log(`ok   ${name}`);
  } else {
    failed++;
    console.log(`FAIL ${name}`);
    for (const p of problems) console.log(`       ${p}`);
  }
}

/** Every file below dir whose name ends with one of the extensions (skipping .node). */
function files(dir, extensions) {
  const out = [];
  if (!fs.existsSync(dir)) return out;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === '.node' || entry.name === 'node_modules') continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...files(full, extensions));
    else if (extensions.some((e) => entry.name.toLowerCase().endsWith(e))) out.push(full);
  }
  return out.sort();
}

/** All nodes of a tree, depth first. */
function* walk(node) {
  yield node;
  for (let i = 0; i < node.childCount; i++) yield* walk(node.child(i));
}

const rel = (f) => path.relative(root, f);
const read = (f) => fs.readFileSync(f, 'utf8').replace(/^\uFEFF/, '');
const parsed = new Map();
function parse(file) {
  if (!parsed.has(file)) parsed.set(file, parser.parse(read(file)));
  return parsed.get(file);
}

// 1. Every script parses without ERROR or MISSING nodes.
const scripts = [
  ...files(path.join(root, 'powershell'), ['.ps1', '.psm1', '.psd1']),
  ...files(testDir, ['.ps1', '.psm1', '.psd1']),
];
{
  const problems = [];
  for (const file of scripts) {
    for (const node of walk(parse(file).rootNode)) {
      if (node.isError || node.isMissing || node.type === 'ERROR') {
        const p = node.startPosition;
        problems.push(`${rel(file)}:${p.row + 1}:${p.column + 1}: ${node.isMissing ? 'missing ' + node.type : 'syntax error'} near ${JSON.stringify(node.text.slice(0, 60))}`);
        break;
      }
    }
  }
  check(`${scripts.length} PowerShell files parse without ERROR/MISSING nodes (tree-sitter-powershell)`, problems);
}

// The public cmdlets: one function per Public/<Verb-Noun>.ps1.
const publicDir = path.join(moduleDir, 'Public');
const cmdlets = [];
{
  const problems = [];
  for (const file of files(publicDir, ['.ps1'])) {
    const tree = parse(file);
    const functions = [...walk(tree.rootNode)].filter((n) => n.type === 'function_statement');
    const expected = path.basename(file, '.ps1');
    const top = tree.rootNode.namedChildren.flatMap((c) => (c.type === 'statement_list' ? c.namedChildren : [c]));
    const names = functions.map((f) => f.namedChildren.find((c) => c.type === 'function_name')?.text);
    if (functions.length !== 1 || names[0] !== expected) {
      problems.push(`${rel(file)} must define exactly one function, ${expected} (defines: ${names.join(', ') || 'none'})`);
    }
    if (top.some((n) => n.type !== 'function_statement' && n.type !== 'comment')) {
      problems.push(`${rel(file)} has statements outside its function`);
    }
    if (functions.length >= 1) cmdlets.push({ name: names[0], file, node: functions[0], text: read(file) });
  }
  check(`Public/ holds one cmdlet per file, named after it (${cmdlets.length} cmdlets)`, problems);
}

// 2. Approved verbs (checked-in list from Get-Verb).
{
  const approved = new Set(read(path.join(testDir, 'approved-verbs.txt')).split(/\r?\n/).map((l) => l.trim()).filter((l) => l && !l.startsWith('#')));
  const problems = [];
  for (const c of cmdlets) {
    const [verb, noun] = c.name.split('-');
    if (!approved.has(verb)) problems.push(`${c.name}: '${verb}' is not an approved verb`);
    if (!noun || !/^Ssis[A-Z][A-Za-z]*$/.test(noun)) problems.push(`${c.name}: the noun must start with Ssis`);
    if (noun && /s$/.test(noun) && !/(ss|Status)$/.test(noun)) problems.push(`${c.name}: the noun looks plural`);
  }
  check('every cmdlet uses an approved verb and a singular Ssis noun', problems);
}

// Parameters of a function: name, attribute text.
function parametersOf(fn) {
  const block = [...walk(fn)].find((n) => n.type === 'param_block');
  if (!block) return { block: null, params: [] };
  const params = [...walk(block)].filter((n) => n.type === 'script_parameter').map((p) => {
    const variable = p.namedChildren.find((c) => c.type === 'variable');
    return { name: variable ? variable.text.replace(/^\$/, '') : '?', text: p.text };
  });
  return { block, params };
}

function blockAttributes(block) {
  if (!block) return [];
  const list = block.namedChildren.find((c) => c.type === 'attribute_list');
  return list ? list.namedChildren.filter((c) => c.type === 'attribute').map((a) => a.text) : [];
}

/** The [Parameter(...)] attribute text of a parameter ('' when it has none). */
const parameterAttribute = (p) => /\[Parameter\s*\(([^\]]*)\)\s*\]/i.exec(p.text)?.[1] ?? '';
const byProperty = (p) => /ValueFromPipelineByPropertyName/i.test(parameterAttribute(p));
const byValue = (p) => /ValueFromPipeline\b(?!ByPropertyName)/i.test(parameterAttribute(p).replace(/ValueFromPipelineByPropertyName/gi, ''));
const parameterSet = (p) => /ParameterSetName\s*=\s*'([^']+)'/i.exec(parameterAttribute(p))?.[1] ?? null;
const aliases = (p) => [...(/\[Alias\(([^)]*)\)\]/i.exec(p.text)?.[1] ?? '').matchAll(/'([^']+)'/g)].map((m) => m[1]);
const typeOf = (p) => (p.text.match(/\[([A-Za-z][\w.]*(?:\[\])?)\]\s*\$/)?.[1] ?? 'object').toLowerCase();

// 3. CmdletBinding and OutputType.
{
  const problems = [];
  for (const c of cmdlets) {
    const { block } = parametersOf(c.node);
    const attributes = blockAttributes(block);
    if (!attributes.some((a) => /^\[CmdletBinding\b/i.test(a))) problems.push(`${c.name}: no [CmdletBinding()] on its param block`);
    if (!attributes.some((a) => /^\[OutputType\b/i.test(a))) problems.push(`${c.name}: no [OutputType()]`);
  }
  check('every cmdlet has [CmdletBinding()] and [OutputType()]', problems);
}

// 4. Comment-based help: SYNOPSIS, DESCRIPTION, a PARAMETER per parameter, EXAMPLE, OUTPUTS.
{
  const problems = [];
  for (const c of cmdlets) {
    const help = [...walk(c.node)].find((n) => n.type === 'comment' && n.text.startsWith('<#'));
    if (!help) {
      problems.push(`${c.name}: no comment-based help`);
      continue;
    }
    const text = help.text;
    for (const key of ['SYNOPSIS', 'DESCRIPTION', 'EXAMPLE', 'INPUTS', 'OUTPUTS']) {
      if (!new RegExp(`^\\s*\\.${key}\\b`, 'mi').test(text)) problems.push(`${c.name}: help has no .${key}`);
    }
    const examples = text.split(/^\s*\.EXAMPLE\b/im).slice(1);
    for (const [i, example] of examples.entries()) {
      const body = example.split(/^\s*\.[A-Z]+\b/m)[0];
      if (!body.includes(c.name)) problems.push(`${c.name}: .EXAMPLE ${i + 1} does not use ${c.name}`);
    }
    for (const p of parametersOf(c.node).params) {
      if (!new RegExp(`^\\s*\\.PARAMETER\\s+${p.name}\\b`, 'mi').test(text)) problems.push(`${c.name}: help has no .PARAMETER ${p.name}`);
    }
  }
  check('every cmdlet has help with .SYNOPSIS, .DESCRIPTION, .PARAMETER for each parameter, .EXAMPLE using it, .INPUTS, .OUTPUTS', problems);
}

// 5. ShouldProcess on every change; ConfirmImpact High and -Force on Remove-*/Stop-*/Revoke-*.
const changing = new Set(['New', 'Set', 'Remove', 'Rename', 'Import', 'Export', 'Copy', 'Move', 'Start', 'Stop', 'Disconnect', 'Grant', 'Revoke']);
const destructive = new Set(['Remove', 'Stop', 'Revoke']);
{
  const problems = [];
  for (const c of cmdlets) {
    const verb = c.name.split('-')[0];
    const attributes = blockAttributes(parametersOf(c.node).block).join(' ');
    const supports = /SupportsShouldProcess/i.test(attributes);
    const calls = [...walk(c.node)].some((n) => n.type === 'invokation_expression' && /^\$PSCmdlet\s*\.\s*ShouldProcess\s*\(/i.test(n.text));
    if (changing.has(verb)) {
      if (!supports) problems.push(`${c.name}: changes state but has no SupportsShouldProcess`);
      if (!calls) problems.push(`${c.name}: changes state but never calls $PSCmdlet.ShouldProcess(...)`);
    } else if (supports && !calls) {
      problems.push(`${c.name}: SupportsShouldProcess without a ShouldProcess call`);
    }
    if (destructive.has(verb)) {
      if (!/ConfirmImpact\s*=\s*['"]High['"]/i.test(attributes)) problems.push(`${c.name}: needs ConfirmImpact = 'High'`);
      if (!parametersOf(c.node).params.some((p) => p.name === 'Force')) problems.push(`${c.name}: needs a -Force switch`);
    }
  }
  check('state-changing cmdlets support and call ShouldProcess; Remove-*/Stop-*/Revoke-* have ConfirmImpact High and -Force', problems);
}

// 6. Identity parameters (Path, ExecutionId, Principal, Server) bind ValueFromPipelineByPropertyName.
const identityExceptions = new Map([
  ['Get-SsisServiceConfig:Path', 'a configuration file, not an item identity'],
  ['Set-SsisServiceConfig:Path', 'the target is taken from the piped configuration'],
  ['Set-SsisServiceConfig:Server', 'the target is taken from the piped configuration'],
  ['Import-SsisPackage:Server', 'one destination server for the whole import'],
]);
{
  const problems = [];
  let seen = 0;
  for (const c of cmdlets) {
    const params = parametersOf(c.node).params;
    const literal = params.find((p) => p.name === 'LiteralPath');
    for (const p of params) {
      if (!['Path', 'ExecutionId', 'Principal', 'Server'].includes(p.name)) continue;
      if (identityExceptions.has(`${c.name}:${p.name}`)) continue;
      seen++;
      // With a -LiteralPath bound by property name, objects bind there; -Path takes strings.
      if (p.name === 'Path' && literal && byProperty(literal)) continue;
      if (!byProperty(p)) problems.push(`${c.name} -${p.name}: no ValueFromPipelineByPropertyName`);
    }
  }
  check(`identity parameters (Path, ExecutionId, Principal, Server; ${seen} of them) bind ValueFromPipelineByPropertyName (-Path: or -LiteralPath does)`, problems);
}

// 7. FunctionsToExport = the Public cmdlets less those waiting for a C function, which must
// still be missing from the header.
const manifestFile = path.join(moduleDir, 'SsisService.psd1');
const manifest = read(manifestFile);
function manifestList(key) {
  const tree = parse(manifestFile);
  const entry = [...walk(tree.rootNode)].find((n) => n.type === 'hash_entry' && n.namedChildren[0]?.text === key);
  if (!entry) return null;
  return [...walk(entry)].filter((n) => n.type === 'string_literal').map((n) => n.text.slice(1, -1));
}
{
  const problems = [];
  const exported = manifestList('FunctionsToExport') ?? [];
  const header = path.join(root, 'include/ssis_service.h');
  const headerText = fs.existsSync(header) ? read(header) : '';
  const pending = new Map();
  for (const line of read(path.join(testDir, 'pending-exports.txt')).split(/\r?\n/)) {
    const t = line.trim();
    if (!t || t.startsWith('#')) continue;
    const [cmdlet, fn] = t.split(/\s+/);
    pending.set(cmdlet, fn);
    if (!cmdlets.some((c) => c.name === cmdlet)) problems.push(`pending-exports.txt names ${cmdlet}, which Public/ does not define`);
    if (new RegExp(`\\b${fn}\\s*\\(`).test(headerText)) problems.push(`${fn} is in include/ssis_service.h now: export ${cmdlet} (add it to FunctionsToExport, remove it from pending-exports.txt)`);
  }
  const expected = cmdlets.map((c) => c.name).filter((n) => !pending.has(n)).sort();
  const actual = [...exported].sort();
  for (const n of expected) if (!actual.includes(n)) problems.push(`FunctionsToExport lacks ${n}`);
  for (const n of actual) if (!expected.includes(n)) problems.push(`FunctionsToExport lists ${n}, which is not a Public cmdlet (or is pending)`);
  if (new Set(actual).size !== actual.length) problems.push('FunctionsToExport lists a function twice');
  check(`FunctionsToExport (${actual.length}) equals the Public cmdlets less ${pending.size} waiting for C functions`, problems);
}

// 8. Manifest fields.
{
  const problems = [];
  const cargo = read(path.join(root, 'Cargo.toml'));
  const version = /^\s*version\s*=\s*"([^"]+)"/m.exec(cargo)?.[1];
  const moduleVersion = /ModuleVersion\s*=\s*'([^']+)'/.exec(manifest)?.[1];
  if (!version || moduleVersion !== version.split(/[-+]/)[0]) problems.push(`ModuleVersion ${moduleVersion} differs from Cargo.toml's version ${version}`);
  if (!/GUID\s*=\s*'[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'/i.test(manifest)) problems.push('no fixed GUID');
  const editions = manifestList('CompatiblePSEditions') ?? [];
  if (!(editions.includes('Core') && editions.includes('Desktop'))) problems.push('CompatiblePSEditions must list Core and Desktop');
  if (!/PowerShellVersion\s*=\s*'5\.1'/.test(manifest)) problems.push("PowerShellVersion must be '5.1'");
  for (const f of manifestList('FormatsToProcess') ?? []) {
    if (!fs.existsSync(path.join(moduleDir, f))) problems.push(`FormatsToProcess names ${f}, which does not exist`);
  }
  if (!(manifestList('FormatsToProcess') ?? []).length) problems.push('no FormatsToProcess');
  if (!/RootModule\s*=\s*'SsisService\.psm1'/.test(manifest)) problems.push("RootModule must be 'SsisService.psm1'");
  for (const key of ['CmdletsToExport', 'VariablesToExport', 'AliasesToExport']) {
    if (!new RegExp(`${key}\\s*=\\s*@\\(\\)`).test(manifest)) problems.push(`${key} must be an explicit empty list`);
  }
  if (!fs.existsSync(path.join(moduleDir, 'en-US/about_SsisService.help.txt'))) problems.push('no en-US/about_SsisService.help.txt');
  check('manifest: ModuleVersion from Cargo.toml, fixed GUID, Core+Desktop, PowerShell 5.1, formats, explicit export lists, about help', problems);
}

// 9. Every SsisService.* type a cmdlet outputs has a default view.
{
  const problems = [];
  const formats = read(path.join(moduleDir, 'SsisService.Format.ps1xml'));
  const views = new Set([...formats.matchAll(/<TypeName>([^<]+)<\/TypeName>/g)].map((m) => m[1]));
  for (const c of cmdlets) {
    const attr = blockAttributes(parametersOf(c.node).block).find((a) => /^\[OutputType\b/i.test(a)) ?? '';
    for (const m of attr.matchAll(/'(SsisService\.[A-Za-z]+)'/g)) {
      if (!views.has(m[1])) problems.push(`${c.name} outputs ${m[1]}, which has no view in SsisService.Format.ps1xml`);
    }
  }
  check(`every SsisService.* output type has a default view (${views.size} views)`, problems);
}

// 10. Conventions in all module code: ConvertTo-Json always with -Depth; no Write-Host.
{
  const problems = [];
  for (const file of files(moduleDir, ['.ps1', '.psm1'])) {
    for (const node of walk(parse(file).rootNode)) {
      if (node.type !== 'command') continue;
      const name = node.childForFieldName('command_name')?.text ?? '';
      const line = node.startPosition.row + 1;
      if (/^ConvertTo-Json$/i.test(name) && !/-Depth\b/i.test(node.text)) problems.push(`${rel(file)}:${line}: ConvertTo-Json without -Depth`);
      if (/^Write-Host$/i.test(name)) problems.push(`${rel(file)}:${line}: Write-Host in module code`);
    }
  }
  check('module code: ConvertTo-Json always with -Depth, no Write-Host', problems);
}

// 11. A Pester test file per cmdlet, plus the manifest and help meta-tests.
{
  const problems = [];
  for (const c of cmdlets) {
    if (!fs.existsSync(path.join(testDir, `${c.name}.Tests.ps1`))) problems.push(`no tests/powershell/${c.name}.Tests.ps1`);
  }
  for (const meta of ['Manifest.Tests.ps1', 'Help.Tests.ps1']) {
    if (!fs.existsSync(path.join(testDir, meta))) problems.push(`no tests/powershell/${meta}`);
  }
  for (const file of files(testDir, ['.tests.ps1'])) {
    const text = read(file);
    if (!/\bDescribe\b/.test(text) || !/\bIt\b/.test(text) || !/\bShould\b/.test(text)) problems.push(`${rel(file)} has no Describe/It/Should`);
  }
  check('a Pester test file per cmdlet, plus Manifest and Help meta-tests', problems);
}

// 12. Issue 15, defect 3: a -Path with wildcards comes with a -LiteralPath (aliases PSPath
// and LP, bound by property name, in its own parameter set), and the -Path does not bind by
// property name, so objects piped in are never re-read as patterns. Tab completion escapes
// wildcards for -Path and completes -LiteralPath too.
{
  const problems = [];
  let seen = 0;
  for (const c of cmdlets) {
    const params = parametersOf(c.node).params;
    const pathParam = params.find((p) => p.name === 'Path');
    if (!pathParam || !/\[SupportsWildcards\(\)\]/i.test(pathParam.text)) continue;
    seen++;
    const literal = params.find((p) => p.name === 'LiteralPath');
    if (!literal) {
      problems.push(`${c.name}: -Path takes wildcards but there is no -LiteralPath`);
      continue;
    }
    const a = aliases(literal);
    if (!a.includes('PSPath') || !a.includes('LP')) problems.push(`${c.name} -LiteralPath: needs [Alias('PSPath', 'LP')] (has ${a.join(', ') || 'none'})`);
    if (!byProperty(literal)) problems.push(`${c.name} -LiteralPath: no ValueFromPipelineByPropertyName`);
    if (byProperty(pathParam)) problems.push(`${c.name} -Path: binds by property name, so piped objects' paths are read as wildcards (bind -LiteralPath instead)`);
    if (!parameterSet(literal) || parameterSet(literal) === parameterSet(pathParam)) problems.push(`${c.name}: -Path and -LiteralPath need parameter sets of their own`);
  }
  const completer = read(path.join(moduleDir, 'Private/ArgumentCompleter.ps1'));
  if (!/-ParameterName\s+'LiteralPath'/.test(completer)) problems.push('Private/ArgumentCompleter.ps1: no completer for -LiteralPath');
  if (!/WildcardPattern\]::Escape\(/.test(completer)) problems.push('Private/ArgumentCompleter.ps1: completions for -Path do not escape wildcard characters');
  check(`a wildcard -Path (${seen} cmdlets) has a -LiteralPath (PSPath, LP) bound by property name; completion escapes`, problems);
}

// 13. Issue 15, defect 2: a by-value parameter that takes any object ([psobject], [object])
// beside parameters bound by property name swallows what they should get (a FileInfo or a
// string bound to -InputObject): it must say which objects it takes with [PSTypeName()].
{
  const problems = [];
  for (const c of cmdlets) {
    const params = parametersOf(c.node).params;
    if (!params.some(byProperty)) continue;
    for (const p of params) {
      if (!byValue(p)) continue;
      if (!['psobject', 'object', 'pscustomobject', 'psobject[]', 'object[]'].includes(typeOf(p))) continue;
      if (!/\[PSTypeName\(/i.test(p.text)) problems.push(`${c.name} -${p.name}: a by-value [${typeOf(p)}] beside by-property parameters needs [PSTypeName('SsisService....')]`);
    }
  }
  check('by-value [psobject]/[object] parameters beside by-property ones name their type with [PSTypeName()]', problems);
}

// 14. Issue 15, defect 10: PowerShell converts any piped object to its string form for a
// by-value [string] parameter left unbound (a connection from Get-SsisServer becomes
// '@{Id=...}' as -Path). Where such a parameter sits beside parameters bound by property
// name, the cmdlet passes it through Get-SsisPipelineString.
{
  const problems = [];
  let seen = 0;
  for (const c of cmdlets) {
    const params = parametersOf(c.node).params;
    for (const p of params) {
      if (!byValue(p) || !['string', 'string[]'].includes(typeOf(p))) continue;
      if (!params.some((o) => o !== p && byProperty(o))) continue;
      seen++;
      const guarded = new RegExp(`Get-SsisPipelineString\\b[^\\n]*-Value\\s+\\$${p.name}\\b`, 'i').test(c.text);
      if (!guarded) problems.push(`${c.name} -${p.name}: by-value [${typeOf(p)}] beside by-property parameters, not passed through Get-SsisPipelineString`);
    }
  }
  check(`by-value string parameters beside by-property ones (${seen}) drop the string form of other piped objects`, problems);
}

// 15. Issue 15, defect 13: Windows PowerShell 5.1 reads a file without a byte-order mark as
// the ANSI code page, so a non-ASCII character (€) breaks it: such files need a UTF-8 BOM.
// $IsWindows, $IsLinux and $IsMacOS do not exist on 5.1: tests use $SsisTestIsWindows.
{
  const problems = [];
  for (const file of scripts) {
    const bytes = fs.readFileSync(file);
    const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
    if (!bom && bytes.some((b) => b > 0x7f)) problems.push(`${rel(file)}: non-ASCII text without a UTF-8 byte-order mark`);
  }
  for (const file of files(testDir, ['.ps1'])) {
    for (const node of walk(parse(file).rootNode)) {
      if (node.type === 'variable' && /^\$(IsWindows|IsLinux|IsMacOS)$/i.test(node.text)) {
        problems.push(`${rel(file)}:${node.startPosition.row + 1}: ${node.text} does not exist on Windows PowerShell 5.1 (use $SsisTestIsWindows)`);
      }
    }
  }
  check('non-ASCII scripts have a UTF-8 BOM; tests do not use $IsWindows/$IsLinux/$IsMacOS', problems);
}

// 16. Issue 15, defects 8, 9 and 11, as patterns in the module code: a result's error object
// is never cast to [string] ('@{Kind=...; Message=...}'); server names are never matched with
// -like (brackets in 'tls://[::1]:8443' are a pattern: use Select-SsisConnection); and
// Connect-SsisServer passes the C API's connection options.
{
  const problems = [];
  for (const file of files(moduleDir, ['.ps1', '.psm1'])) {
    const lines = read(file).split(/\r?\n/);
    lines.forEach((line, i) => {
      if (/^\s*#/.test(line)) return;
      if (/\[string\]\s*\$[\w.]+\.Error\b/i.test(line)) problems.push(`${rel(file)}:${i + 1}: an error object cast to [string] (use ConvertTo-SsisErrorText)`);
      if (/\.Server\s+-like\b/i.test(line)) problems.push(`${rel(file)}:${i + 1}: a server name matched with -like (use Select-SsisConnection)`);
      if (/::Connect\([^,]+,\s*\$null\s*\)/i.test(line)) problems.push(`${rel(file)}:${i + 1}: ssis_connect called without the connection options`);
    });
  }
  const connect = cmdlets.find((c) => c.name === 'Connect-SsisServer');
  const names = connect ? parametersOf(connect.node).params.map((p) => p.name) : [];
  for (const option of ['Token', 'Credential', 'CaFile', 'SshConfig', 'RemoteProgram']) {
    if (!names.includes(option)) problems.push(`Connect-SsisServer has no -${option}`);
  }
  const token = connect && parametersOf(connect.node).params.find((p) => p.name === 'Token');
  if (token && !/SecureString\]/i.test(token.text)) problems.push('Connect-SsisServer -Token must be a SecureString');
  check('error objects are not cast to [string], server names are not -like patterns, Connect-SsisServer passes connection options', problems);
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
