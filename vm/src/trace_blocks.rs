//! [`TraceBlocks`]: the streaming trace of a [`Vm`], K instructions per pulled block (the
//! record types and conventions are in [`crate::trace`]).

use crate::error::ExecutionError;
use crate::execute::Vm;
use crate::trace::{Block, Recorder};

impl Vm {
    /// Returns an iterator that executes the guest lazily and yields its trace in blocks of
    /// `block_size` instructions (a `block_size` of 0 is treated as 1). See [`crate::trace`].
    pub fn trace(&mut self, block_size: usize) -> TraceBlocks<'_> {
        TraceBlocks::new(self, block_size)
    }
}

/// Iterator over the trace in blocks of K instructions; see the module documentation.
///
/// Created by [`crate::Vm::trace`]. Execution happens inside [`Iterator::next`].
pub struct TraceBlocks<'a> {
    vm: &'a mut Vm,
    block_size: usize,
    pending_error: Option<ExecutionError>,
    done: bool,
}

impl<'a> TraceBlocks<'a> {
    fn new(vm: &'a mut Vm, block_size: usize) -> TraceBlocks<'a> {
        TraceBlocks {
            vm,
            block_size: block_size.max(1),
            pending_error: None,
            done: false,
        }
    }

    /// The block size K.
    pub fn block_size(&self) -> usize {
        self.block_size
    }

    /// The VM being traced (e.g. to read its outputs after the iterator has ended).
    pub fn vm(&self) -> &Vm {
        self.vm
    }
}

impl Iterator for TraceBlocks<'_> {
    type Item = Result<Block, ExecutionError>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(e) = self.pending_error.take() {
            self.done = true;
            return Some(Err(e));
        }
        if self.done || self.vm.exit().is_some() {
            return None;
        }
        let first_step = self.vm.steps();
        let mut recorder = Recorder::with_capacity(self.block_size);
        let result = self.vm.run_observed(self.block_size as u64, &mut recorder);
        let block = Block {
            first_step,
            records: recorder.records,
        };
        match result {
            Ok(Some(_exit)) => {
                self.done = true;
                Some(Ok(block))
            }
            Ok(None) => Some(Ok(block)),
            Err(e) => {
                if block.records.is_empty() {
                    self.done = true;
                    Some(Err(e))
                } else {
                    self.pending_error = Some(e);
                    Some(Ok(block))
                }
            }
        }
    }
}
