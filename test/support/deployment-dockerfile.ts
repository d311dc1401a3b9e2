import { DockerfileParser, JSONInstruction, ModifiableInstruction, type Instruction } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';
import { readRepoFile } from './deployment-files';

export interface DockerInstruction {
  keyword: string;
  /** Whitespace-split arguments, or the strings of the JSON (exec) form. */
  args: string[];
  /** `--from=build` -> { from: 'build' } */
  flags: Record<string, string>;
  /** The arguments as written, continuation lines joined. */
  text: string;
}

export interface DockerStage {
  name?: string;
  /** The base: an image (build arguments resolved to their defaults) or an earlier stage. */
  from: string;
  instructions: DockerInstruction[];
}

export interface Dockerfile {
  stages: DockerStage[];
  /** Findings of dockerfile-utils' linter (the one behind VS Code's Dockerfile support). */
  lint: string[];
}

function toInstruction(instruction: Instruction): DockerInstruction {
  const json = instruction instanceof JSONInstruction ? instruction.getJSONStrings() : [];
  const flags = instruction instanceof ModifiableInstruction ? instruction.getFlags() : [];
  return {
    keyword: instruction.getKeyword(),
    args: json.length > 0 ? json.map((s) => s.getJSONValue()) : instruction.getArguments().map((a) => a.getValue()),
    flags: Object.fromEntries(flags.map((flag) => [flag.getName(), flag.getValue() ?? ''])),
    text: instruction.getArgumentsContent() ?? '',
  };
}

export function readDockerfile(path: string): Dockerfile {
  const content = readRepoFile(path);
  const parsed = DockerfileParser.parse(content);
  const defaults = new Map(
    parsed.getInitialARGs().flatMap((arg) => {
      const [name, ...value] = (arg.getArgumentsContent() ?? '').split('=');
      return value.length > 0 ? [[name!.trim(), value.join('=').trim()] as const] : [];
    }),
  );
  const resolve = (text: string) => text.replace(/\$\{?(\w+)\}?/g, (whole, name: string) => defaults.get(name) ?? whole);
  const stages: DockerStage[] = [];
  for (const instruction of parsed.getInstructions()) {
    const step = toInstruction(instruction);
    if (step.keyword === 'FROM') {
      const [image = '', as, name] = step.args;
      stages.push({ from: resolve(image), name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else if (stages.length > 0) {
      stages[stages.length - 1]!.instructions.push(step);
    }
  }
  const lint = validate(content).map((d) => `line ${d.range.start.line + 1}: ${d.message}`);
  return { stages, lint };
}
