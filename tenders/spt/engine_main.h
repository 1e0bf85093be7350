/* engine_main.h: nabla-spt --template: starts guests of an image on request. */
#ifndef NABLA_ENGINE_MAIN_H
#define NABLA_ENGINE_MAIN_H

/*
 * The template's main (engine_main.c), called by main() for
 * `nabla-spt --template ...` after report_init. Serves requests until the
 * orchestrator closes its end; never returns.
 */
__attribute__((noreturn)) void engine_main(int argc, char **argv);

#endif /* NABLA_ENGINE_MAIN_H */
