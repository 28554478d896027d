# Lightning: forward returns logits; probabilities only for prediction.
import torch
import torch.nn.functional as F
import lightning as L
from torch import nn


class TextClassifier(L.LightningModule):
    def __init__(self, vocab_size=20000, num_classes=4):
        super().__init__()
        self.embed = nn.EmbeddingBag(vocab_size, 64)
        self.head = nn.Linear(64, num_classes)

    def forward(self, tokens):
        return self.head(self.embed(tokens))

    def compute_loss(self, logits, labels):
        return F.cross_entropy(logits, labels)

    def training_step(self, batch, batch_idx):
        tokens, labels = batch
        return self.compute_loss(self(tokens), labels)

    def predict_step(self, batch, batch_idx):
        tokens, _ = batch
        return self(tokens).softmax(dim=-1)

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=1e-3)
